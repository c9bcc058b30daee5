// Broker pages the browser tests serve themselves over HTTPS on 127.0.0.1 (the RA's TLS key): a plain page with
// the page API, the same under `Content-Security-Policy: sandbox allow-scripts` (opaque origin "null"), and a page
// framing another URL (/frame?src=...). Used by chromium-sign.mjs and firefox-sign.mjs.
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { PAGE_API } from '../e2e/lib.mjs';

const PAGE = '<!doctype html><meta charset="utf-8"><title>broker</title><script src="/ecm-sign.js"></script><p id="x">broker</p>';

// serve(port, host): host 127.0.0.1 unless given (another loopback address is another origin the test build does
// not grant).
export async function serve(port = 0, host = '127.0.0.1') {
  const raState = path.dirname(process.env.RA_JSON);
  const lib = fs.readFileSync(PAGE_API);
  const server = https.createServer({ key: fs.readFileSync(path.join(raState, 'tls-key.pem')), cert: fs.readFileSync(path.join(raState, 'tls.pem')) },
    (req, res) => {
      const u = new URL(req.url, `https://${host}`);
      if (u.pathname === '/ecm-sign.js') { res.writeHead(200, { 'Content-Type': 'text/javascript' }); res.end(lib); return; }
      const headers = { 'Content-Type': 'text/html; charset=utf-8' };
      if (u.pathname === '/sandboxed') headers['Content-Security-Policy'] = 'sandbox allow-scripts';
      res.writeHead(200, headers);
      const src = u.searchParams.get('src');
      res.end(u.pathname === '/frame' && src ? `${PAGE}<iframe id="f" src="${src.replace(/"/g, '')}" width="400" height="200"></iframe>` : PAGE);
    });
  await new Promise((r) => server.listen(Number(port), host, r));
  return { server, origin: `https://${host}:${server.address().port}` };
}

// The signer's subject CN of a CMS (base64) by `openssl cms -verify` against the RA's CA; '' when it does not verify.
export function signerCn(cmsB64) { return cmsSigner(cmsB64, process.env.SIGN_RA_CA).cn; }

// {cn, issuer} of a CMS's signer (base64) when `openssl cms -verify` against caFile succeeds; {cn: '', issuer: ''}
// when it does not verify.
export function cmsSigner(cmsB64, caFile) {
  const dir = fs.mkdtempSync(path.join(process.env.E2E_TMP, 'cms-'));
  fs.writeFileSync(path.join(dir, 'c.der'), Buffer.from(cmsB64, 'base64'));
  try {
    execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', path.join(dir, 'c.der'), '-CAfile', caFile,
      '-purpose', 'any', '-out', '/dev/null', '-signer', path.join(dir, 's.pem')], { stdio: 'ignore' });
    const x509 = (what) => execFileSync('openssl', ['x509', '-in', path.join(dir, 's.pem'), '-noout', what, '-nameopt', 'RFC2253'], { encoding: 'utf8' });
    const cn = (x509('-subject').match(/CN=([^,\n]*)/) || [])[1] || '';
    return { cn, issuer: x509('-issuer').replace(/^issuer=\s*/, '').trim() };
  } catch (e) { return { cn: '', issuer: '' }; }
}

// B's certificate (newer than A's) into / out of the host's primary store (~/.pki/nssdb of the test HOME).
export function addB() { execFileSync('pk12util', ['-i', process.env.SIGN_B_P12, '-d', `sql:${process.env.SIGN_NSSDB}`, '-W', 'x'], { stdio: 'ignore' }); }
// Retried: a host process the browser started may still hold the database for a moment.
export async function removeB() {
  const id = process.env.SIGN_B_ID;
  const db = `sql:${process.env.SIGN_NSSDB}`;
  const run = (...a) => { try { return execFileSync('certutil', [...a, '-d', db], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }); } catch (e) { return `${e.stdout}${e.stderr}`; } };
  let list = '';
  for (let i = 0; i < 20; i++) {
    list = run('-L');
    // pk12util names it after the subject ("<CN> - <O>"): take the listed nickname, without the trust column
    const nick = list.split('\n').find((l) => l.startsWith(id));
    if (!nick) return true;
    const name = nick.replace(/\s+[a-zA-Z]*,[a-zA-Z]*,[a-zA-Z]*\s*$/, '').trim();
    run('-F', '-n', name);
    run('-D', '-n', name);
    await new Promise((r) => setTimeout(r, 300));
  }
  console.log(`# certutil -L still lists ${id}:\n${list.replace(/^/gm, '# ')}`);
  return false;
}

// Texts that hide something: every invisible / look-alike character the window must mark, and blank-line padding.
export const HIDDEN_CHARS = ['\u200b', '\u200d', '\u2060', '\u2063', '\u00ad', '\u3164', '\u{e0041}', '\u2028', '\u2029', '\u00a0', '\u202e'];
export const INVISIBLE_TEXT = `\ufeff張數: 1${HIDDEN_CHARS.join('x')}`;
export const BLANK_TEXT = `委託 2330 買\n張數: 1${'\n'.repeat(300)}張數: 499`;
export const LONG_TEXT = Array.from({ length: 120 }, (_, i) => `第 ${i + 1} 行`).join('\n') + '\n張數: 499';
