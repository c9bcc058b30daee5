'use strict';
// 憑證簽驗: the RA makes a nonce, the page asks e-Cert Manager to sign a text carrying it, the RA verifies the
// signature (and consumes the nonce) and the page shows ✔ or the exact reason ✘.
const result = document.getElementById('result');
document.getElementById('check').addEventListener('click', async () => {
	result.textContent = '簽驗中… Checking…';
	delete result.dataset.valid;
	try {
		const { nonce } = await postJson('/api/v1/nonce', {});
		const text = `e-Cert Dev Broker 憑證簽驗\norigin=${location.origin}\ntime=${new Date().toISOString()}\nnonce=${nonce}`;
		const pre = document.getElementById('signed-text');
		pre.textContent = text;
		pre.hidden = false;
		const { cms, serial } = await ECMSign.sign({ data: text });
		const v = await postJson('/api/v1/verify', { cms, nonce }, true);
		if (v.valid) show(result, true, `憑證可以簽章 The certificate works: ${v.cn}, S/N ${v.serial}`, '');
		else show(result, false, `${reasonText(v.reason)} — S/N ${v.serial || serial}`, v.reason);
	} catch (e) {
		show(result, false, reasonText(e.code || 'INTERNAL'), e.code || 'INTERNAL');
	}
});
