// Safari's native side of e-Cert Manager: each message from the extension (browser.runtime.sendNativeMessage)
// goes to the same core as ecm-host, through the C API in include/ecm/core.h.
//
// Safari delivers one message and takes one answer; it has no port for progress events. So the answer carries
// every message the core emitted, in order: {"events": [progress...], "reply": {...}}. The extension's Safari
// transport unpacks it and replays the events before resolving with the reply.
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

final class SafariWebExtensionHandler: NSObject, NSExtensionRequestHandling {
	private let log = OSLog(subsystem: "org.ecertmanager.safari", category: "handler")

	func beginRequest(with context: NSExtensionContext) {
		let item = context.inputItems.first as? NSExtensionItem
		let message = item?.userInfo?[SFExtensionMessageKey]
		var answer: [String: Any]
		if let message = message, JSONSerialization.isValidJSONObject(message),
		   let request = try? JSONSerialization.data(withJSONObject: message) {
			answer = handle(request)
		} else {
			answer = ["reply": Self.errorReply("BAD_REQUEST", "the message is not a JSON object")]
		}
		let response = NSExtensionItem()
		response.userInfo = [SFExtensionMessageKey: answer]
		context.completeRequest(returningItems: [response], completionHandler: nil)
	}

	// One core per message, as ecm-host has one per browser port: Safari may end this process between messages.
	// The session (login state) therefore lives in the core's own store, not in this object.
	private func handle(_ request: Data) -> [String: Any] {
		var err = ecm_error()
		ecm_error_init(&err)
		defer { ecm_error_clear(&err) }
		guard let core = ecm_core_new(&err) else {
			os_log("ecm_core_new failed", log: log, type: .error)
			return ["reply": Self.errorReply("OUT_OF_MEMORY", "the core could not start")]
		}
		defer { ecm_core_free(core) }

		let box = Collected()
		let user = Unmanaged.passUnretained(box).toOpaque()
		request.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
			let bytes = raw.bindMemory(to: CChar.self)
			ecm_core_handle(core, bytes.baseAddress, bytes.count, emit, user)
		}
		withExtendedLifetime(box) {}
		guard let reply = box.messages.last else {
			return ["reply": Self.errorReply("INTERNAL", "the core sent no reply")]
		}
		return ["events": Array(box.messages.dropLast()), "reply": reply]
	}

	private static func errorReply(_ code: String, _ message: String) -> [String: Any] {
		return ["id": NSNull(), "ok": false, "error": ["code": code, "message": message, "details": [:]]]
	}
}
