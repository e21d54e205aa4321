#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/openssl-profile.sh DIR: client certificates for the client
# certificate profile, made with OpenSSL's command line (openssl req,
# openssl x509 -req and openssl ca with an extension file), independently
# of our own tooling. Used by tests/unit/test_pki.c and
# tests/netns/cases/profile.sh. DIR must exist and be empty.
#
# Trusted: root.crt (EC P-256). Beside it other-root.crt, trusted by nobody.
# NAME.crt holds the leaf (and, for those under an intermediate, the
# intermediate after it); NAME.key is its key (0600).
#
#   accepted   good (EC P-256), good-rsa (RSA 2048), good-ed25519,
#              under-ica-client (issuer EKU clientAuth),
#              under-ica-any (issuer EKU anyExtendedKeyUsage)
#   refused    catrue (basicConstraints CA:TRUE), root itself (root.crt),
#              under-ica-server (issuer EKU serverAuth only),
#              rsa1024, ec192 (P-192), dsa (DSA 2048),
#              nods (keyUsage keyAgreement only), noeku (no EKU),
#              expired (2020), stranger (under other-root),
#              revoked (good in every way: the test revokes it)
set -eu
D=${1:?usage: openssl-profile.sh DIR}
cd "$D"
umask 077

cat >ext.cnf <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused

[root_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash

[ica_server_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ica_client_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ica_any_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = anyExtendedKeyUsage
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[client_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[catrue_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyCertSign
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[nods_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyAgreement
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[noeku_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[profile_ca]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
certificate = ./root.crt
private_key = ./root.key
serial = ./ca.serial
default_md = sha256
policy = policy_any
unique_subject = no
[policy_any]
commonName = supplied
EOF

ec() { openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$2" -out "$1.key"; }
rsa() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1.key"; }

# self_signed NAME CN: a root.
self_signed()
{
	openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 3650 \
		-config ext.cnf -extensions root_ext -out "$1.crt"
}

# sign NAME CN ISSUER EXTENSIONS: NAME.csr signed by ISSUER.
sign()
{
	openssl req -new -key "$1.key" -subj "/CN=$2" -config ext.cnf \
		-out "$1.csr"
	openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" \
		-CAserial serial -CAcreateserial -days 365 -sha256 \
		-extfile ext.cnf -extensions "$4" -out "$1.crt"
}

ec root P-256 && self_signed root "Profile Root"
ec other-root P-256 && self_signed other-root "Profile Other Root"

ec good P-256 && sign good good@profile.test root client_ext
ec revoked P-256 && sign revoked revoked@profile.test root client_ext
rsa good-rsa 2048 && sign good-rsa good-rsa@profile.test root client_ext
openssl genpkey -algorithm ED25519 -out good-ed25519.key
sign good-ed25519 good-ed25519@profile.test root client_ext

for kind in server client any; do
	ec "ica-$kind" P-256
	sign "ica-$kind" "Profile ICA $kind" root "ica_${kind}_ext"
	ec "under-ica-$kind" P-256
	sign "under-ica-$kind" "under-ica-$kind@profile.test" "ica-$kind" \
		client_ext
	# The client sends its chain: leaf, then the intermediate.
	cat "ica-$kind.crt" >>"under-ica-$kind.crt"
done

ec catrue P-256 && sign catrue catrue@profile.test root catrue_ext
rsa rsa1024 1024 && sign rsa1024 rsa1024@profile.test root client_ext
ec ec192 prime192v1 && sign ec192 ec192@profile.test root client_ext
openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 \
	-pkeyopt dsa_paramgen_q_bits:256 -out dsa.params
openssl genpkey -paramfile dsa.params -out dsa.key
sign dsa dsa@profile.test root client_ext
ec nods P-256 && sign nods nods@profile.test root nods_ext
ec noeku P-256 && sign noeku noeku@profile.test root noeku_ext
ec stranger P-256 && sign stranger stranger@profile.test other-root client_ext

# Expired: openssl ca sets the validity period outright.
mkdir newcerts
: >index.txt
echo 1000 >ca.serial
ec expired P-256
openssl req -new -key expired.key -subj "/CN=expired@profile.test" \
	-config ext.cnf -out expired.csr
openssl ca -batch -config ext.cnf -name profile_ca -notext \
	-startdate 20200101000000Z -enddate 20200201000000Z \
	-extfile ext.cnf -extensions client_ext -in expired.csr \
	-out expired.crt 2>ca.log
chmod 0644 ./*.crt
