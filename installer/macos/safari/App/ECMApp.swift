// The containing app: Safari web extensions ship inside an app. It only tells the user how to turn the
// extension on and opens Safari's extension settings.
import SafariServices
import SwiftUI

private let extensionID = "org.ecertmanager.safari.extension"

@main
struct ECMApp: App {
	var body: some Scene {
		WindowGroup {
			VStack(spacing: 16) {
				Text("e-Cert Manager").font(.title)
				Text("Turn on “e-Cert Manager” in Safari › Settings › Extensions.")
				Button("Open Safari Extension Settings") {
					SFSafariApplication.showPreferencesForExtension(withIdentifier: extensionID) { _ in }
				}
			}
			.padding(32)
		}
	}
}
