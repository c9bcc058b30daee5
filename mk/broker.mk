# What a broker hands its customers, from its profile (issue 21), included by the top Makefile:
#   make broker PROFILE=FILE [BROKER_VERSION=V]   build/broker/<id>/: the broker's .deb, MSI and macOS pkg folder,
#                                                 the host's .deb (and MSI when built), the extension's .zip and
#                                                 .xpi, and policy templates (docs/installing.md "Shipping for a broker")
.PHONY: broker

broker:
	@[ -n "$(PROFILE)" ] || { echo "usage: make broker PROFILE=FILE [BROKER_VERSION=V]" >&2; exit 2; }
	@installer/broker/build-broker.sh --check "$(PROFILE)"
	@$(MAKE) --no-print-directory deb
	installer/broker/build-broker.sh "$(PROFILE)" $(BUILD) $(DEB_FILE)
