// Taiwanese national ID (身分證字號) and resident certificate (居留證) numbers, checked before they are sent.
// Letter values: A=10 … H=17, I=34, J=18 … N=22, O=35, P=23 … V=29, W=32, X=30, Y=31, Z=33.
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';

export function normalizeId(s) { return String(s || '').trim().toUpperCase(); }

export function isValidTaiwanId(raw) {
  const id = normalizeId(raw);
  let second;
  if (/^[A-Z][1289]\d{8}$/.test(id)) second = Number(id[1]);          // ID card, new resident certificate
  else if (/^[A-Z][A-D]\d{8}$/.test(id)) second = (LETTERS.indexOf(id[1]) + 10) % 10;  // old resident certificate
  else return false;
  const code = LETTERS.indexOf(id[0]) + 10;
  const weights = [8, 7, 6, 5, 4, 3, 2, 1];
  let sum = Math.floor(code / 10) + (code % 10) * 9 + second * 8;
  for (let i = 0; i < 7; i++) sum += Number(id[2 + i]) * weights[i + 1];
  sum += Number(id[9]);
  return sum % 10 === 0;
}
