# Installer targets (issue 6), included by the top Makefile. Layout and browser folders: docs/installing.md.
#   make deb                  build $(BUILD)/ecert-manager_<version>_<arch>.deb (dpkg-deb, no debhelper)
#   make install-manifests    after `make install`: register $(PREFIX)/lib/ecert-manager/ecm-host for every
#                             browser system-wide (honours DESTDIR); `make uninstall-manifests` undoes it
#   make check-installer      the installer's test suites (tests/installer/*.t)

ECM_PKG_VERSION := $(shell sed -n 's/^\#define ECM_VERSION "\(.*\)"/\1/p' include/ecm/core.h)
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB_FILE := $(BUILD)/ecert-manager_$(ECM_PKG_VERSION)_$(DEB_ARCH).deb
DEB_INPUTS := installer/install.sh $(wildcard installer/debian/*) $(wildcard manifests/*.json.in)

.PHONY: deb install-manifests uninstall-manifests check-installer

deb: $(DEB_FILE)

$(DEB_FILE): $(BUILD)/ecm-host $(BUILD)/ecm $(DEB_INPUTS)
	installer/debian/build-deb.sh $(BUILD) $(ECM_PKG_VERSION) $(DEB_ARCH)

install-manifests: $(BUILD)/ecm-host
	DESTDIR="$(DESTDIR)" installer/install.sh --system --prefix $(PREFIX) --host $(BUILD)/ecm-host

uninstall-manifests:
	DESTDIR="$(DESTDIR)" installer/install.sh --system --prefix $(PREFIX) --uninstall

check-installer: all
	@for t in tests/installer/*.t; do echo "# $$t"; bash $$t || exit 1; done
