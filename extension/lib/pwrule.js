// The backup password rule as the host announces it in hello (password_rule): checked here as the user types,
// and by the host again. Returns the first rule the password breaks ('min_length', 'letter', 'digit',
// 'national_id'), or '' when it passes. Without an announcement only the length the host always wants is known.
const CLASSES = { letter: /[A-Za-z]/, digit: /[0-9]/ };

export function ruleOf(hostInfo) {
  const r = hostInfo && hostInfo.password_rule;
  return r && Number.isInteger(r.min_length) ? r : { min_length: 8, needs: [], not_national_id: false };
}

export function breaks(rule, pw, id) {
  // bytes of UTF-8, as the host counts
  if (new TextEncoder().encode(pw).length < rule.min_length) return 'min_length';
  for (const c of rule.needs || []) if (CLASSES[c] && !CLASSES[c].test(pw)) return c;
  if (rule.not_national_id && id && pw.toUpperCase().includes(String(id).toUpperCase())) return 'national_id';
  return '';
}
