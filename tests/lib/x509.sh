# Certificate serials in the form the host answers with (host/crypto/cert.c): hex, upper case, no leading zeros.
# `openssl x509 -serial` pads to whole bytes ("010F..."), so a raw comparison fails whenever a random serial's first
# byte is below 0x10: every suite reads serials through these, never through its own sed.
# shellcheck shell=bash

# serial_norm: each line of stdin ("serial=0a1b" or "0A1B") in the host's form
serial_norm() { sed 's/^serial=//' | tr a-f A-F | sed 's/^0*//'; }
# cert_serial PEM_FILE: that certificate's serial
cert_serial() { openssl x509 -in "$1" -noout -serial | serial_norm; }
# pem_serials: the serials of every certificate in the PEM stream on stdin, sorted, on one line
pem_serials() {
	awk '/BEGIN CERTIFICATE/ { c = "" } { c = c $0 "\n" }
		/END CERTIFICATE/ { printf "%s", c | "openssl x509 -noout -serial"; close("openssl x509 -noout -serial") }' |
		serial_norm | sort | tr '\n' ' ' | sed 's/ $//'
}
# pfx_cert_serial FILE PASSWORD: the serial of the end-entity certificate in a .pfx
pfx_cert_serial() { openssl pkcs12 -in "$1" -passin "pass:$2" -nokeys -clcerts 2>/dev/null | openssl x509 -noout -serial | serial_norm; }
