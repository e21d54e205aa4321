# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Trusted roots changed live on sstpgw0 (sstpctl root list/add/remove): a
# client of root B is refused, welcome once root B is added, cut off when it
# is removed; then sstpctl package and its Linux script.
# Sourced by tests/netns.sh (case 0 has made the namespaces and the PKI).

case_begin roots "trusted roots changed live; the client package"
gw0_start
n0 "$SSTPCTL" -j root list sstpgw0 >"$TMP/roots.json" 2>&1
"$PYTHON" - "$TMP/roots.json" "$(pp "$SSTPCTL" cert thumbprint "$PKI/rootA/root.crt")" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if [r['thumbprint'] for r in d] == [sys.argv[2]] else 1)
PY
result $? "root list: exactly root A, by thumbprint" "$TMP/roots.json"
n1 timeout 30 "$SSTPCTL" connect "$GW_IP:4443" --ca "$CA" --cert "$PKI/unknown-root.crt" \
	--key "$PKI/unknown-root.key" --name gw.test --timeout 10 >"$TMP/alien1.out" 2>"$TMP/alien1.err"
rc=$?
[ $rc -eq 2 ] && grep -q "refused the certificate" "$TMP/alien1.err"
result $? "a client of root B is refused, and told so (rc $rc: $(cat "$TMP/alien1.err"))" "$TMP/alien1.err"
n0 "$SSTPCTL" root add sstpgw0 "$PKI/good1.crt" >"$TMP/rootadd.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "not a CA" "$TMP/rootadd.out"
result $? "root add of a client certificate is refused: not a CA (rc $rc)" "$TMP/rootadd.out"
n0 "$SSTPCTL" root add sstpgw0 "$PKI/rootB/root.crt" >"$TMP/rootadd.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "1 root(s) trusted" "$TMP/rootadd.out"
result $? "root add root B (rc $rc: $(cat "$TMP/rootadd.out"))" "$TMP/rootadd.out"
start_client alien2 "$NS_C1" unknown-root 4443 --name gw.test --interface sstpc0
C1_PID=$CPID
wait_up alien2 && ping_c1
result $? "the client of root B now comes up and pings" "$TMP/alien2.out" "$TMP/alien2.err" "$TMP/ping.out"
TP_rootB=$(pp "$SSTPCTL" cert thumbprint "$PKI/rootB/root.crt")
n0 "$SSTPCTL" root remove sstpgw0 "$TP_rootB" >"$TMP/rootdel.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "1 live session" "$TMP/rootdel.out"
result $? "root remove root B ends its 1 live session (rc $rc: $(cat "$TMP/rootdel.out"))" "$TMP/rootdel.out"
wait_pid "$C1_PID" 5
rc=$WAITED
[ $rc -eq 2 ] && grep -q '^down: ' "$TMP/alien2.out"
result $? "  ...its client prints down: and exits 2 (rc $rc)" "$TMP/alien2.out" "$TMP/alien2.err"
show_wait sstpgw0 "d['roots'] == 1 and d['sessions_active'] == 0" 2
result $? "  ...show -j: 1 root again, no session" "$SHOW"
n0 "$SSTPCTL" root remove sstpgw0 "$TP_rootB" >"$TMP/rootdel.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "no trusted root" "$TMP/rootdel.out"
result $? "removing it again: no trusted root has that thumbprint (rc $rc)" "$TMP/rootdel.out"

pp "$SSTPCTL" package "$CONF0" --name gw.test --out "$TMP/pkg" >"$TMP/pkg.out" 2>&1
rc=$?
[ $rc -eq 0 ] && cmp -s "$TMP/pkg/gateway-ca.crt" "$PKI/rootA/root.crt" &&
	grep -q "Add-VpnConnection -Name 'gw.test' -ServerAddress 'gw.test:4443' -TunnelType Sstp" "$TMP/pkg/windows-install.ps1" &&
	grep -q "New-EapConfiguration -Tls -UserCertificate" "$TMP/pkg/windows-install.ps1"
result $? "package: the gateway's CA and a Windows SSTP + EAP-TLS setup (rc $rc)" "$TMP/pkg.out" "$TMP/pkg/windows-install.ps1"
# The Linux script, pointed at the gateway's address instead of its name.
sed "s/'gw.test:4443'/'$GW_IP:4443' --name gw.test --interface sstpc0/" \
	"$TMP/pkg/linux-connect.sh" >"$TMP/pkg/connect-ip.sh"
chmod +x "$TMP/pkg/connect-ip.sh"
spawn "$NS_C1" "$TMP/pkgc.out" "$TMP/pkgc.err" env PATH="$(dirname "$SSTPCTL"):$PATH" \
	"$TMP/pkg/connect-ip.sh" "$PKI/good1.crt" "$PKI/good1.key"
C1_PID=$SPAWNED
wait_up pkgc && ping_c1
result $? "package: linux-connect.sh brings good1 up and it pings" "$TMP/pkgc.out" "$TMP/pkgc.err" "$TMP/ping.out"
pp kill -TERM "$C1_PID"
wait_pid "$C1_PID" 5
result $? "  ...and disconnects on SIGTERM"
gw0_stop
case_end
