// Safari's native side of e-Cert Manager: each message from the extension (browser.runtime.sendNativeMessage)
// goes to the same core as ecm-host, through the C API in include/ecm/core.h.
//
// Safari delivers one message and takes one answer; it has no port for progress events. So the answer carries
// every message the core emitted, in order: {"events": [progress...], "reply": {...}}. The extension's Safari
// transport (extension/background.js) unpacks it and replays the events before resolving with the reply, and
// sends one message at a time, so the core sees the requests in order as it would on a port.
//
// The login lives in the core (docs/protocol.md, "a connection is one session"), so this process keeps ONE core
// for its whole life (SharedCore below), created on the first message. Safari may create a new handler object per
// message and may call beginRequest on several threads; the core is therefore process-wide and behind a lock.
// Safari may also end this process between messages: the login is then gone with it, the next login-needing
// command answers NOT_LOGGED_IN, and the extension shows the login again ("請重新登入").
//
// The caller check of ecm-host (allowed_callers) does not apply: Safari only routes messages from the
// extension bundled in this app to this handler.
import Foundation
import SafariServices
import os.log

private final class Collected {
	var messages: [Any] = []
}

// Called by ecm_core_handle for each progress event and once for the reply. No captures: a C function pointer.
private let emit: ecm_emit_fn = { json, len, user in
	guard let json = json, let user = user else { return }
	let box = Unmanaged<Collected>.fromOpaque(user).takeUnretainedValue()
	let data = Data(bytes: json, count: len)
	if let obj = try? JSONSerialization.jsonObject(with: data) {
		box.messages.append(obj)
	}
}

// The one core of this process. Created lazily (the first message pays for loading the configuration), never
// freed: ecm_core_free would also drop the login, and `logout` already wipes the credentials inside the core.
// The process's end releases the rest. A failed ecm_core_new (out of memory) is not remembered: the next message
// tries again.
private enum SharedCore {
	private static let lock = NSLock()
	private static var core: OpaquePointer?   // ecm_core * (an incomplete C struct)

	// Runs one request to its reply while holding the lock: one request at a time, in the order they come.
	static func handle(_ request: Data, log: OSLog) -> [String: Any] {
		lock.lock()
		defer { lock.unlock() }
		if core == nil {
			var err = ecm_error()
			ecm_error_init(&err)
			core = ecm_core_new(&err)
			if let c = core { ecm_core_serve_browser(c) }
			ecm_error_clear(&err)
		}
		guard let core = core else {
			os_log("ecm_core_new failed", log: log, type: .error)
			return ["reply": errorReply("OUT_OF_MEMORY", "the core could not start")]
		}

		let box = Collected()
		let user = Unmanaged.passUnretained(box).toOpaque()
		request.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
			let bytes = raw.bindMemory(to: CChar.self)
			ecm_core_handle(core, bytes.baseAddress, bytes.count, emit, user)
		}
		withExtendedLifetime(box) {}
		guard let reply = box.messages.last else {
			return ["reply": errorReply("INTERNAL", "the core sent no reply")]
		}
		return ["events": Array(box.messages.dropLast()), "reply": reply]
	}

	static func errorReply(_ code: String, _ message: String) -> [String: Any] {
		return ["id": NSNull(), "ok": false, "error": ["code": code, "message": message, "details": [:]]]
	}
}

final class SafariWebExtensionHandler: NSObject, NSExtensionRequestHandling {
	private let log = OSLog(subsystem: "org.ecertmanager.safari", category: "handler")

	func beginRequest(with context: NSExtensionContext) {
		let item = context.inputItems.first as? NSExtensionItem
		let message = item?.userInfo?[SFExtensionMessageKey]
		var answer: [String: Any]
		if let message = message, JSONSerialization.isValidJSONObject(message),
		   let request = try? JSONSerialization.data(withJSONObject: message) {
			answer = SharedCore.handle(request, log: log)
		} else {
			answer = ["reply": SharedCore.errorReply("BAD_REQUEST", "the message is not a JSON object")]
		}
		let response = NSExtensionItem()
		response.userInfo = [SFExtensionMessageKey: answer]
		context.completeRequest(returningItems: [response], completionHandler: nil)
	}
}
