'use strict';
// Demo order form: the order text is what is signed; the RA reads the order from the signed text (not from the
// form), verifies the signature against the logged-in account and lists the orders it accepted.
const result = document.getElementById('result');
const val = (id) => document.getElementById(id).value.trim();

async function refresh() {
	if (!val('login-id')) return;
	const r = await fetch('/api/v1/orders', { headers: authHeader() });
	if (!r.ok) return;
	const { orders } = await r.json();
	const body = document.querySelector('#orders tbody');
	body.replaceChildren(...orders.map((o) => {
		const tr = document.createElement('tr');
		for (const v of [o.no, o.symbol, o.side, o.lots, o.price, o.serial, o.signing_time]) {
			const td = document.createElement('td');
			td.textContent = String(v ?? '');
			tr.append(td);
		}
		return tr;
	}));
}

document.getElementById('place').addEventListener('click', async () => {
	result.textContent = '簽章中… Signing…';
	delete result.dataset.valid;
	try {
		const { nonce } = await postJson('/api/v1/nonce', {});
		const text = ['e-Cert Dev Broker 委託單', `股票代號: ${val('symbol')}`, `買賣: ${val('side')}`, `張數: ${val('lots')}`,
			`價格: ${val('price')}`, `時間: ${new Date().toISOString()}`, `nonce: ${nonce}`].join('\n');
		const { cms } = await ECMSign.sign({ data: text });
		const r = await postJson('/api/v1/orders', { cms, nonce }, true);
		if (r.accepted) show(result, true, `委託已接受 Order ${r.order.no} accepted: ${r.order.side} ${r.order.symbol} ${r.order.lots} 張 @ ${r.order.price}`, '');
		else show(result, false, reasonText(r.reason), r.reason);
	} catch (e) {
		show(result, false, reasonText(e.code || 'INTERNAL'), e.code || 'INTERNAL');
	}
	refresh();
});
refresh();
