// A simple, explainable password strength score 0..3 for the backup (.pfx) password.
export function strength(pw, id) {
  if (!pw || pw.length < 8) return 0;
  if (id && pw.toUpperCase().includes(String(id).toUpperCase())) return 0;
  let classes = 0;
  for (const re of [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/]) if (re.test(pw)) classes++;
  if (/^(.)\1+$/.test(pw) || classes < 2) return 1;
  if (pw.length >= 10 && classes >= 3) return 3;
  return 2;
}
