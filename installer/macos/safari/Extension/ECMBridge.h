/* Bridging header: exposes the core's C API (include/ecm/core.h) to SafariWebExtensionHandler.swift.
 * Header search path: $(SRCROOT)/../../../include (set in project.yml). */
#include "ecm/core.h"
