# SPDX-License-Identifier: Apache-2.0
# The verdicts: reads the "@@ST" lines dom0 printed on the serial console of each boot
# (Scripts/system-test/dom0-init.sh says what they are) and turns them into PASS/FAIL lines.
# Comparisons of xenstore trees go through st_normalise and Scripts/system-test/expected-differences.
# Sourced by Scripts/system-test.sh.

# The "@@ST ..." lines of a boot, wherever on the line Xen's console put them.
st_lines() { grep -a -o '@@ST .*' "$ST_OUT/$1.log" 2>/dev/null || true; }

# The DATA lines of NAME in BOOT; fails when the count does not match the SUM line (lost output).
st_data() { # BOOT NAME
    local lines sum
    lines=$(st_lines "$1" | sed -n "s/^@@ST DATA $2|//p")
    sum=$(st_lines "$1" | sed -n "s/^@@ST SUM $2 lines=\([0-9]*\)$/\1/p" | tail -n1)
    [ -n "$sum" ] || return 1
    if [ -n "$lines" ]; then printf '%s\n' "$lines"; fi
    [ "$sum" -eq "$( [ -z "$lines" ] && echo 0 || printf '%s\n' "$lines" | wc -l)" ]
}

# "status secs" of RUN NAME in BOOT, or nothing if it did not run.
st_run() { st_lines "$1" | sed -n "s/^@@ST RUN $2 status=\([0-9]*\) secs=\([0-9.]*\)$/\1 \2/p" | tail -n1; }
st_status() { local r; r=$(st_run "$1" "$2"); echo "${r%% *}"; }
# "yes"/"no" of VALUE NAME in BOOT.
st_value() { st_lines "$1" | sed -n "s/^@@ST VALUE $2 \([^ ]*\) secs=.*/\1/p" | tail -n1; }

# One line for a command's exit status: a signal (status >= 128) is a crash.
st_describe_status() { # STATUS
    case $1 in
        "") echo "did not run" ;;
        124) echo "timed out" ;;
        1[2-9][0-9]|2[0-9][0-9]) echo "crashed (status $1, signal $(( $1 - 128 )))" ;;
        *) echo "exit status $1" ;;
    esac
}

# A xenstore dump (xenstore-ls -fp) with what differs between runs by nature replaced by symbols:
# uuids, start times, event channel ports; with DOMID, the guest's domid becomes D.
st_normalise() { # [DOMID]
    local d=${1:-}
    sed -E \
        -e 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/UUID/g' \
        -e 's|(/start_time = )"[0-9.]+"|\1"TIME"|' \
        -e 's|(/port = )"[0-9]+"|\1"PORT"|' \
        -e 's|(/mac = )"00:16:3e:[0-9a-f:]{8}"|\1"MAC"|' \
        ${d:+-e "s|/local/domain/$d([/ ])|/local/domain/D\\1|g" -e "s|/libxl/$d([/ ])|/libxl/D\\1|g"} \
        ${d:+-e "s|(/backend/[a-z]+/)$d([/ \"])|\\1D\\2|g" -e "s|(/frontend-id = )\"$d\"|\\1\"D\"|"} \
        ${d:+-e "s|(/domid = )\"$d\"|\\1\"D\"|" -e "s/([(,][nrwb])$d([,)])/\\1D\\2/g" -e "s/([(,][nrwb])$d([,)])/\\1D\\2/g"} \
    | LC_ALL=C sort
}

# A normalised dump split into "PATH = VALUE" lines and "PATH<TAB>PERMISSIONS" lines. Paths that
# normalise alike (the /vm/UUID of two domains) get one line with their permissions in sorted order.
st_values() { sed -E 's/^(.*) = (".*")[[:space:]]+\(([^()]*)\)$/\1 = \2/' "$1" | LC_ALL=C sort; }
st_perms() {
    sed -E 's/^(.*) = (".*")[[:space:]]+\(([^()]*)\)$/\1\t(\3)/' "$1" | LC_ALL=C sort \
        | awk -F'\t' '$1 == path { perms = perms " " $2; next } NR > 1 { print path "\t" perms } { path = $1; perms = $2 } END { if (NR) print path "\t" perms }'
}

# Why a difference is fine, from Scripts/system-test/expected-differences (TOPIC, KIND, regex, reason).
st_expected() { # TOPIC KIND LINE
    awk -F'\t' -v t="$1" -v k="$2" -v l="$3" '$1 == t && $2 == k && l ~ $3 { print $4; exit }' "$ST_DIR/expected-differences"
}

# Differences between two normalised dumps: nodes or values only one side has ("debian:" / "ours:"),
# and nodes whose permissions differ ("perms:"). Each is marked "expected: reason", or UNEXPECTED.
# A permission of ours is also expected when REFERENCE (the tree Debian's xl create left, libxl's
# own choice) gives the node the same. Returns 1 when any difference is unexpected.
st_compare_trees() { # TOPIC DEBIAN-FILE OURS-FILE [REFERENCE-FILE]
    local topic=$1 unexpected=0 kind line reason tab
    tab=$(printf '\t')
    st_values "$2" >"$2.values"; st_values "$3" >"$3.values"
    st_perms "$2" >"$2.perms"; st_perms "$3" >"$3.perms"
    [ -z "${4:-}" ] || st_perms "$4" >"$4.perms"
    while IFS= read -r line; do
        case $line in
            "< "*) kind=debian ;;
            "> "*) kind=ours ;;
            *) continue ;;
        esac
        line=${line:2}
        reason=$(st_expected "$topic" "$kind" "$line")
        if [ -n "$reason" ]; then printf '    %-7s %s\n            expected: %s\n' "$kind:" "$line" "$reason"
        else printf '    %-7s %s\n            UNEXPECTED\n' "$kind:" "$line"; unexpected=1; fi
    done < <(diff "$2.values" "$3.values" || true)
    local path theirs mine
    while IFS="$tab" read -r path theirs mine; do
        [ "$theirs" != "$mine" ] || continue
        line="$path debian=$theirs ours=$mine"
        reason=""
        if [ -n "${4:-}" ] && grep -qxF "$path$tab$mine" "$4.perms"; then
            reason="as libxl sets it (Debian's xl create in this boot)"
        fi
        [ -n "$reason" ] || reason=$(st_expected "$topic" perms "$line")
        if [ -n "$reason" ]; then printf '    %-7s %s\n            expected: %s\n' "perms:" "$line" "$reason"
        else printf '    %-7s %s\n            UNEXPECTED\n' "perms:" "$line"; unexpected=1; fi
    done < <(LC_ALL=C join -t "$tab" "$2.perms" "$3.perms")
    return $unexpected
}

# The domid of the xl create guest in BOOT, from Debian's xl list taken while it ran.
st_guest_domid() { # BOOT WHO
    st_data "$1" "list-debian-$2" | awk '$1 == "st-guest" { print $2 }'
}

# xl list without what moves between two calls: CPU time, and the running/blocked state flags.
st_list_columns() { awk 'NR > 1 { print $1, $2, $3, $4, "--" substr($5, 3) }'; }

st_checks() {
    local dir=$ST_OUT/compare
    rm -rf "$dir"; mkdir -p "$dir"

    # The boots themselves.
    local boot done_line
    for boot in ours debian; do
        done_line=$(st_lines "$boot" | grep '^@@ST DONE' | tail -n1)
        if [ -n "$done_line" ]; then
            local up; up=$(st_lines "$boot" | sed -n 's/^@@ST BOOT [a-z]* uptime=\([0-9.]*\)$/\1/p')
            st_result PASS "boot $boot" "dom0 up after ${up}s, its checks took ${done_line##*secs=}s; QEMU $(st_describe_status "$(cat "$ST_OUT/$boot.status" 2>/dev/null)")"
        elif [ ! -s "$ST_OUT/$boot.log" ]; then
            st_result FAIL "boot $boot" "no console output; QEMU: $(tail -n1 "$ST_OUT/$boot.qemu" 2>/dev/null)"
        else
            st_result FAIL "boot $boot" "dom0 did not finish its checks (QEMU $(st_describe_status "$(cat "$ST_OUT/$boot.status" 2>/dev/null)"); last console line: $(tail -n1 "$ST_OUT/$boot.log" | cut -c1-160))"
        fi
        local domu
        for domu in "1 enhanced" "2 plain"; do
            if grep -aq "DOM${domu% *}: ST-GUEST ${domu#* } up" "$ST_OUT/$boot.log"; then :; else
                st_result FAIL "boot $boot: dom0less domain ${domu#* }" "no ST-GUEST line from d${domu% *} on the Xen console"
            fi
        done
    done
    local hidden; hidden=$(st_value ours passthrough-status)
    if [ "$hidden" = disabled ]; then
        st_result PASS "passthrough device $ST_PT_NODE hidden from dom0" "status = \"disabled\" in dom0's tree"
    else
        st_result FAIL "passthrough device $ST_PT_NODE hidden from dom0" "dom0 sees status \"${hidden:-?}\""
    fi

    st_check_init
    st_check_list ours
    st_check_list debian
    st_check_list ours -debian
    st_check_create
    st_check_life
    st_check_console
    st_check_shutdown
    st_check_pv
    st_check_dom0less_shutdown
    st_check_overlay
}

# init-dom0less: each initialises the enhanced domain (the guest then connects to xenstore), and
# the trees they leave are compared.
st_check_init() {
    local who boot status ok=true
    for who in ours debian; do
        status=$(st_status "$who" init)
        local connected; connected=$(st_value "$who" enhanced-connected)
        local out; out=$(st_data "$who" init | tr '\n' ';')
        if [ "$status" = 0 ] && [ "$connected" = yes ]; then
            st_result PASS "init-dom0less ($who) initialises the enhanced domain" "the guest connected to xenstore (wrote control/feature-poweroff); output: ${out%;}"
        else
            ok=false
            st_result FAIL "init-dom0less ($who) initialises the enhanced domain" "$(st_describe_status "$status"), guest connected: ${connected:-unknown}; output: ${out%;}"
        fi
    done
    status=$(st_status ours init-again)
    local changed; changed=$(st_data ours xs-init-again | tr '\n' ';')
    if [ "$status" = 0 ] && st_data ours init-again | grep -q 'domain 1 .*already' && [ -z "$changed" ]; then
        st_result PASS "init-dom0less (ours) run again" "$(st_data ours init-again | head -n1); xenstore unchanged"
    else
        st_result FAIL "init-dom0less (ours) run again" "$(st_describe_status "$status"): $(st_data ours init-again | tr '\n' ';') xenstore changes: ${changed:-none}"
    fi
    if ! st_data debian xs-init >"$ST_OUT/compare/init-debian.raw" || ! st_data ours xs-init >"$ST_OUT/compare/init-ours.raw"; then
        st_result FAIL "init-dom0less xenstore tree: ours vs Debian's" "a dump is missing or lost lines on the console"
        return
    fi
    st_normalise 1 <"$ST_OUT/compare/init-debian.raw" >"$ST_OUT/compare/init-debian.xs"
    st_normalise 1 <"$ST_OUT/compare/init-ours.raw" >"$ST_OUT/compare/init-ours.xs"
    local reference=""
    if [ "$(st_status ours create-debian)" = 0 ] && st_data ours xs-create-debian >"$ST_OUT/compare/create-debian.raw"; then
        reference=$ST_OUT/compare/libxl-reference.xs
        st_normalise "$(st_guest_domid ours debian)" <"$ST_OUT/compare/create-debian.raw" >"$reference"
    fi
    local report
    if report=$(st_compare_trees init "$ST_OUT/compare/init-debian.xs" "$ST_OUT/compare/init-ours.xs" "$reference"); then
        st_result PASS "init-dom0less xenstore tree: ours vs Debian's" "$(st_count_lines "$report") differences, all documented"
    else
        st_result FAIL "init-dom0less xenstore tree: ours vs Debian's" "differences not documented as fixes (marked UNEXPECTED below)"
    fi
    [ -z "$report" ] || printf '%s\n' "$report"
}

st_count_lines() { [ -z "$1" ] && echo 0 || printf '%s\n' "$1" | grep -c '^    [a-z]*: '; }

# xl list: ours and Debian's, one after the other, agree (CPU time aside). SUFFIX picks the pair:
# "" after init-dom0less, "-debian" while the guest Debian's xl created runs.
st_check_list() { # BOOT [SUFFIX]
    local boot=$1 suffix=${2:-} a b name
    name="xl list agrees with Debian's (boot $boot${suffix:+, with an xl create guest})"
    [ -n "$(st_run "$boot" "list-debian$suffix")" ] || { st_result FAIL "$name" "Debian's xl list did not run"; return; }
    if [ "$(st_status "$boot" "list-ours$suffix")" != 0 ]; then
        st_result FAIL "$name" "ours: $(st_describe_status "$(st_status "$boot" "list-ours$suffix")"): $(st_data "$boot" "list-ours$suffix" | tr '\n' ';')"
        return
    fi
    a=$(st_data "$boot" "list-debian$suffix" | st_list_columns)
    b=$(st_data "$boot" "list-ours$suffix" | st_list_columns)
    if [ -n "$a" ] && [ "$a" = "$b" ]; then
        st_result PASS "$name" "$(printf '%s\n' "$b" | awk '{ printf "%s%s(%s)", (NR > 1 ? ", " : ""), $1, $2 }')"
    else
        st_result FAIL "$name" "Debian: $(printf '%s' "$a" | tr '\n' ';') ours: $(printf '%s' "$b" | tr '\n' ';')"
    fi
}

# xl create of the same guest config by each xl, then xl destroy by the same xl.
st_check_create() {
    local who status out name changes
    for who in debian ours; do
        status=$(st_status ours "create-$who")
        out=$(st_data ours "create-$who" | grep -v '^Parsing config' | tr '\n' ';')
        # The tree after the create (or its failure) and destroy, against the one before: nothing left.
        changes=$(st_data ours "xs-after-$who" | st_normalise | tr '\n' ';')
        local left; left=$(st_data ours "list-after-$who" | awk '$1 == "st-guest"')
        name="xl create ($who) boots the guest with iomem/irqs passthrough"
        [ $who = debian ] && name="$name [oracle]"
        local printed; printed=$(st_data ours "console-$who" | grep 'ST-GUEST' | head -n1)
        if [ "$status" = 0 ] && [ "$(st_value ours "guest-printed-$who")" = yes ] && printf '%s' "$printed" | grep -q "passthrough=\[gpio@9030000\]"; then
            st_result PASS "$name" "the guest printed: $printed"
        elif [ "$status" = 0 ] && [ -n "$printed" ]; then
            st_result FAIL "$name" "the guest's device tree lacks the passthrough node; it printed: $printed"
        elif [ "$status" = 0 ]; then
            st_result FAIL "$name" "created, but the guest printed nothing on its console within the time limit"
        else
            st_result FAIL "$name" "$(st_describe_status "$status"): ${out%;}"
            if [ -z "$changes" ] && [ -z "$left" ] && [ -n "$(st_status ours "list-after-$who")" ]; then
                st_result PASS "xl create ($who) failure leaves nothing behind" "xenstore tree unchanged, no st-guest domain"
            else
                st_result FAIL "xl create ($who) failure leaves nothing behind" "xenstore changes: ${changes:-none}; domain: ${left:-none}"
            fi
            continue
        fi
        if [ $who = ours ]; then
            local builder; builder=$(st_data ours create-ours | grep -c '^domainbuilder: detail: xc_dom_')
            if [ "$builder" -gt 0 ]; then
                st_result PASS "xl -v create (ours) shows the domain builder's messages" "$builder libxenguest lines, e.g. $(st_data ours create-ours | grep -m1 '^domainbuilder: detail: xc_dom_')"
            else
                st_result FAIL "xl -v create (ours) shows the domain builder's messages" "none in: ${out%;}"
            fi
        fi
        local destroyed; destroyed=$(st_status ours "destroy-$who")
        if [ "$destroyed" = 0 ] && [ -z "$changes" ] && [ -z "$left" ]; then
            st_result PASS "xl destroy ($who)" "domain gone, xenstore tree as before the create"
        else
            st_result FAIL "xl destroy ($who)" "$(st_describe_status "$destroyed"): $(st_data ours "destroy-$who" | tr '\n' ';') xenstore changes left: ${changes:-none}; domain: ${left:-none}"
        fi
    done
    # Our destroy of a guest Debian's xl created (its monitor stopped): everything must go.
    status=$(st_status ours create-mixed)
    changes=$(st_data ours xs-after-mixed | st_normalise | tr '\n' ';')
    local left; left=$(st_data ours list-after-mixed | awk '$1 == "st-guest"')
    name="xl destroy (ours) of a guest Debian's xl created"
    if [ "$status" != 0 ]; then
        st_result FAIL "$name" "not run: Debian's xl create failed ($(st_describe_status "$status"))"
    elif [ "$(st_status ours destroy-mixed)" = 0 ] && [ -z "$changes" ] && [ -z "$left" ]; then
        st_result PASS "$name" "domain gone, xenstore tree as before the create"
    else
        st_result FAIL "$name" "$(st_describe_status "$(st_status ours destroy-mixed)"): $(st_data ours destroy-mixed | tr '\n' ';') xenstore changes left: ${changes:-none}; domain: ${left:-none}"
    fi
    # The trees both leave while the guest runs.
    name="xl create xenstore tree: ours vs Debian's"
    if [ "$(st_status ours create-ours)" != 0 ] || [ "$(st_status ours create-debian)" != 0 ]; then
        st_result FAIL "$name" "not compared: $( [ "$(st_status ours create-ours)" != 0 ] && echo "our" || echo "Debian's") xl create failed"
        return
    fi
    st_data ours xs-create-debian | st_normalise "$(st_guest_domid ours debian)" >"$ST_OUT/compare/create-debian.xs"
    st_data ours xs-create-ours | st_normalise "$(st_guest_domid ours ours)" >"$ST_OUT/compare/create-ours.xs"
    local report
    if report=$(st_compare_trees create "$ST_OUT/compare/create-debian.xs" "$ST_OUT/compare/create-ours.xs"); then
        st_result PASS "$name" "$(st_count_lines "$report") differences, all documented"
    else
        st_result FAIL "$name" "differences not documented (marked UNEXPECTED below)"
    fi
    [ -z "$report" ] || printf '%s\n' "$report"
}

# One check line: PASS when CONDITION (a shell test) holds, else FAIL; DETAIL in both.
st_expect() { # NAME DETAIL CONDITION...
    local name=$1 detail=$2
    shift 2
    if "$@"; then st_result PASS "$name" "$detail"; else st_result FAIL "$name" "$detail"; fi
}

# The state column of st-guest in an xl list output (RUN NAME of boot ours).
st_state_of() { st_data ours "$1" | awk '$1 == "'"${2:-st-guest}"'" { print $5 }'; }

# The guest's life under our xl (dom0-init.sh, "life" steps): pause/unpause and rename, with Debian's xl as the oracle.
st_check_life() {
    local status out
    status=$(st_status ours life-create)
    if [ "$status" != 0 ] || [ "$(st_value ours life-printed)" != yes ]; then
        st_result FAIL "xl create (ours) for the lifecycle checks" "$(st_describe_status "$status"): $(st_data ours life-create | tr '\n' ';')"
        return
    fi
    local paused_d paused_o unpaused_d unpaused_o
    paused_d=$(st_state_of life-list-paused-debian); paused_o=$(st_state_of life-list-paused-ours)
    unpaused_d=$(st_state_of life-list-unpaused-debian); unpaused_o=$(st_state_of life-list-unpaused-ours)
    # The r and b letters are the vCPU's state at the moment of each read, not the domain's: Xen clears a paused
    # vCPU's blocked flag when an event arrives for it (a timer, the console), so only p, s, c and d must agree.
    st_expect "xl pause/unpause (ours): state letters agree with Debian's xl list" \
        "paused: Debian ${paused_d:-?} ours ${paused_o:-?}; unpaused: Debian ${unpaused_d:-?} ours ${unpaused_o:-?}" \
        sh -c '[ -n "$1" ] && [ "${1#??}" = "${2#??}" ] && [ "${1#??p}" != "$1" ] && [ -n "$3" ] && [ "${3#??p}" = "$3" ] && [ "${3#??-}" != "$3" ] && [ "${4#??-}" != "$4" ]' _ "$paused_d" "$paused_o" "$unpaused_d" "$unpaused_o"
    out=$(st_data ours life-list-renamed-debian | awk '$1 == "st-renamed"')
    st_expect "xl rename (ours): Debian's xl list shows the new name" "${out:-st-renamed not listed} (rename back: $(st_describe_status "$(st_status ours life-rename-back)"))" \
        sh -c '[ -n "$1" ] && [ "$2" = 0 ]' _ "$out" "$(st_status ours life-rename-back)"
    local a b
    a=$(st_data ours life-list-debian | st_list_columns); b=$(st_data ours life-list-ours | st_list_columns)
    st_expect "xl list (ours) agrees with Debian's while our xl's guest runs" "Debian: $(printf '%s' "$a" | tr '\n' ';') ours: $(printf '%s' "$b" | tr '\n' ';')" \
        sh -c '[ -n "$1" ] && [ "$1" = "$2" ]' _ "$a" "$b"
    local changes left
    changes=$(st_data ours xs-after-life | st_normalise | tr '\n' ';')
    left=$(st_data ours life-list-after | awk '$1 == "st-guest"')
    st_expect "xl destroy (ours) after pause, unpause and rename" \
        "$(st_describe_status "$(st_status ours life-destroy)"): domain: ${left:-gone}; xenstore changes: ${changes:-none}" \
        sh -c '[ "$1" = 0 ] && [ -z "$2" ] && [ -z "$3" ]' _ "$(st_status ours life-destroy)" "$left" "$changes"
}

# xl console (ours) attached to the created guest without a terminal shows the ticks the guest writes
# while attached, as Debian's xl console (the oracle) does.
st_check_console() {
    local who ticks
    for who in debian ours; do
        ticks=$(st_data ours life-console-$who | grep -c "ST-GUEST st-guest tick" || true)
        if [ "$who" = debian ]; then
            st_expect "xl console (Debian's) [oracle] shows the guest's console" "${ticks:-0} tick lines in 6 s" sh -c '[ "$1" -ge 1 ]' _ "${ticks:-0}"
        else
            st_expect "xl console (ours) shows the guest's console as Debian's does" "${ticks:-0} tick lines in 6 s: $(st_data ours life-console-ours | grep -v tick | head -n 3 | tr '\n' ' ')" \
                sh -c '[ "$1" -ge 1 ]' _ "${ticks:-0}"
        fi
    done
}

# xl dt-overlay add on a Xen without CONFIG_OVERLAY_DTB: a clear refusal, like Debian's xl, no crash,
# and no record left in xenstore.
st_check_overlay() {
    local debian; debian=$(st_status ours overlay-debian)
    local variant
    for variant in overlay-ours overlay-ours-hostdtb; do
        local status out name
        status=$(st_status ours "$variant")
        out=$(st_data ours "$variant" | tr '\n' ' ')
        name="xl dt-overlay add (ours$( [ $variant = overlay-ours-hostdtb ] && echo ", --host-dtb")) on a Xen without CONFIG_OVERLAY_DTB"
        if [ "$status" = 1 ] && printf '%s' "$out" | grep -q 'CONFIG_OVERLAY_DTB' && [ "$debian" != 0 ] \
            && [ -z "$(st_data ours xs-after-overlay)" ]; then
            st_result PASS "$name" "exit 1: $out(Debian's xl: $(st_describe_status "$debian"): $(st_data ours overlay-debian | head -n1))"
        else
            st_result FAIL "$name" "$(st_describe_status "$status"): $out(Debian's xl: $(st_describe_status "$debian")); xenstore changes: $(st_data ours xs-after-overlay | tr '\n' ';')"
        fi
    done
}

# Per-command times inside dom0, for the timing table.
st_check_timings() {
    local boot name status secs
    for boot in ours debian overlay; do
        [ -f "$ST_OUT/$boot.log" ] || continue
        while read -r name status secs; do
            st_timing "  in dom0 ($boot): $name" "$secs"
        done < <(st_lines "$boot" | sed -n 's/^@@ST RUN \([^ ]*\) status=\([0-9]*\) secs=\([0-9.]*\)$/\1 \2 \3/p')
    done
}

# xl dt-overlay on the Xen built with CONFIG_OVERLAY_DTB (boot overlay): ours adds, refuses a second
# add, attaches to dom0 and removes, recording in xenstore and leaving nothing; Debian's xl does the
# same steps as the oracle for what this Xen accepts.
st_check_overlay_xen() {
    local boot=overlay step ours debian
    if ! st_lines overlay | grep -q '^@@ST DONE'; then
        st_result FAIL "boot overlay" "dom0 did not finish its checks (QEMU $(st_describe_status "$(cat "$ST_OUT/overlay.status" 2>/dev/null)"); last console line: $(tail -n1 "$ST_OUT/overlay.log" | cut -c1-160))"
        return
    fi
    st_result PASS "boot overlay" "Xen $(cat "$ST_XEN_OVERLAY/version") with CONFIG_OVERLAY_DTB, dom0 up after $(st_lines overlay | sed -n 's/^@@ST BOOT [a-z]* uptime=//p')s"
    local record; record=$(st_data overlay xs-ov-added | grep -c '^+/libxl/dt-overlay/')
    ours=$(st_status overlay ov-add-ours)
    if [ "$ours" = 0 ] && [ "$record" -gt 0 ] && st_data overlay ov-list-ours | grep -q 'st-device@c000000'; then
        st_result PASS "xl dt-overlay add (ours) on a Xen with CONFIG_OVERLAY_DTB" "exit 0, recorded in xenstore, listed: $(st_data overlay ov-list-ours | tr '\n' ' ')"
    else
        st_result FAIL "xl dt-overlay add (ours) on a Xen with CONFIG_OVERLAY_DTB" "$(st_describe_status "$ours"): $(st_data overlay ov-add-ours | tr '\n' ' ') record nodes: $record"
    fi
    ours=$(st_status overlay ov-add-again-ours)
    if [ "$ours" = 1 ] && st_data overlay ov-add-again-ours | grep -q 'already added'; then
        st_result PASS "xl dt-overlay add (ours) of an added overlay is refused" "$(st_data overlay ov-add-again-ours | head -n1) (Debian's xl: $(st_describe_status "$(st_status overlay ov-add-again-debian)"): $(st_data overlay ov-add-again-debian | tail -n1))"
    else
        st_result FAIL "xl dt-overlay add (ours) of an added overlay is refused" "$(st_describe_status "$ours"): $(st_data overlay ov-add-again-ours | tr '\n' ' ')"
    fi
    for step in attach remove; do
        ours=$(st_status overlay "ov-$step-ours")
        debian=$(st_status overlay "ov-$step-debian")
        local detail="ours: $(st_describe_status "$ours")$(st_data overlay "ov-$step-ours" | head -n2 | sed 's/^/: /' | tr '\n' ' '); Debian's: $(st_describe_status "$debian")$(st_data overlay "ov-$step-debian" | tail -n2 | sed 's/^/: /' | tr '\n' ' ')"
        if [ "$ours" = 0 ] && [ "$debian" = 0 ]; then
            st_result PASS "xl dt-overlay $step (ours) agrees with Debian's" "$detail"
        elif [ "$ours" = "$debian" ] || { [ "$ours" = 1 ] && [ "$debian" != 0 ] && [ "$debian" -lt 128 ]; }; then
            st_result PASS "xl dt-overlay $step (ours) agrees with Debian's" "both refused; $detail"
        else
            st_result FAIL "xl dt-overlay $step (ours) agrees with Debian's" "$detail"
        fi
    done
    # The registry's (empty) directory may stay; no record may.
    local left; left=$(st_data overlay xs-ov-removed | grep -v -x -e '+/libxl = ""   (n0)' -e '+/libxl/dt-overlay = ""   (n0)' | tr '\n' ';')
    if [ "$(st_status overlay ov-remove-ours)" = 0 ] && [ -z "$left" ]; then
        st_result PASS "xl dt-overlay remove (ours) leaves no record" "xenstore as before the add, but for the empty /libxl/dt-overlay"
    else
        st_result FAIL "xl dt-overlay remove (ours) leaves no record" "changes: ${left:-none}"
    fi
    # With --host-dtb, ours records the IRQ (SPI 100 = 132) and the MMIO page of the new node.
    local json; json=$(st_data overlay ov-list-hostdtb-ours | tr -d ' \n')
    local statuses="$(st_status overlay ov-add-hostdtb-ours) $(st_status overlay ov-attach-hostdtb-ours) $(st_status overlay ov-remove-hostdtb-ours)"
    if [ "$statuses" = "0 0 0" ] && printf '%s' "$json" | grep -q '132' && printf '%s' "$json" | grep -qi 'c000000'; then
        st_result PASS "xl dt-overlay add, attach, remove (ours, --host-dtb)" "recorded: $json"
    else
        st_result FAIL "xl dt-overlay add, attach, remove (ours, --host-dtb)" "add, attach, remove: $statuses; recorded: ${json:-nothing}; $(st_data overlay ov-add-hostdtb-ours | tr '\n' ' ')$(st_data overlay ov-attach-hostdtb-ours | tr '\n' ' ')"
    fi
}

# xl reboot and xl shutdown -w (ours), and Debian's xl shutdown -w on a guest our xl created: the
# monitor our create left carries out on_reboot (a new domain, same name, its line printed again)
# and on_poweroff, then ends; xenstore is as before each create. Debian's xl list -l prints our record.
st_check_shutdown() {
    local who status gone monitor changes out
    status=$(st_status ours ops-create-ours)
    if [ "$status" != 0 ] || [ "$(st_value ours ops-printed-ours)" != yes ]; then
        st_result FAIL "xl create (ours) for the shutdown checks" "$(st_describe_status "$status"): $(st_data ours ops-create-ours | tr '\n' ';')"
        return
    fi
    out=$(st_data ours ops-list-l-debian | tr -d ' \n')
    st_expect "Debian's xl list -l prints the record of a domain our xl created" \
        "$(st_describe_status "$(st_status ours ops-list-l-debian)"): $(printf '%s' "$out" | cut -c1-160)" \
        sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q "\"name\":\"st-guest\""' _ "$(st_status ours ops-list-l-debian)" "$out"
    local domids; domids=$(st_value ours ops-domids)
    st_expect "xl reboot (ours): the monitor builds the guest again and it prints its line again" \
        "$(st_describe_status "$(st_status ours ops-reboot)"); printed again: $(st_value ours ops-rebooted); domids before,after: ${domids:-?}; connected: $(st_value ours ops-reconnected)" \
        sh -c '[ "$1" = 0 ] && [ "$2" = yes ] && [ "$3" = yes ] && [ "${4%,*}" != "${4#*,}" ] && [ "${4#*,}" != none ]' _ \
        "$(st_status ours ops-reboot)" "$(st_value ours ops-rebooted)" "$(st_value ours ops-reconnected)" "${domids:-x,x}"
    for who in ours debian; do
        status=$(st_status ours ops-shutdown-$who)
        gone=$(st_value ours ops-gone-$who); monitor=$(st_value ours ops-monitor-gone-$who)
        changes=$(st_data ours xs-after-ops-$who | st_normalise | tr '\n' ';')
        st_expect "xl shutdown -w ($who's xl) on a guest our xl created: guest gone, monitor ended, xenstore as before" \
            "$(st_describe_status "$status"): $(st_data ours ops-shutdown-$who | tr '\n' ' ')domain gone: ${gone:-?}; monitor ended: ${monitor:-?}; xenstore changes: ${changes:-none}" \
            sh -c '[ "$1" = 0 ] && [ "$2" = yes ] && [ "$3" = yes ] && [ -z "$4" ]' _ "$status" "$gone" "$monitor" "$changes"
    done
}

# The device nodes of a normalised dump (domain 1 for the dom0less guest, D for the created one).
st_device_nodes() { grep -E '^/local/domain/([0-9]+|D)/(device|backend)/(vif|vbd)(/| )|^/libxl/([0-9]+|D)/device/(vif|vbd)(/| )' || true; }

# PV devices (dom0-init.sh pv_devices): upstream's CI scenario (network-attach to the dom0less
# domain, then ping both ways over xenbr0), a disk attached and read, and a guest created with vif=
# and disk=; Debian's boot runs the same steps with Debian's xl as the oracle for the trees, the
# list formats and what detach leaves.
st_check_pv() {
    local who boot status tag mark kind
    for who in debian ours; do
        boot=$who; tag=$who; [ $who = debian ] && tag="debian [oracle]"
        status=$(st_status "$boot" net-attach-$who)
        st_expect "xl network-attach ($tag) to the dom0less domain: dom0 and the guest ping each other over xenbr0" \
            "$(st_describe_status "$status"): $(st_data "$boot" net-attach-$who | tr '\n' ' ')dom0 pinged the guest: $(st_value "$boot" net-ping-$who); the guest pinged dom0: $(grep -aq 'ST-GUEST enhanced ping ok' "$ST_OUT/$boot.log" && echo yes || echo no)" \
            sh -c '[ "$1" = 0 ] && [ "$2" = yes ] && grep -aq "ST-GUEST enhanced ping ok" "$3"' _ "$status" "$(st_value "$boot" net-ping-$who)" "$ST_OUT/$boot.log"
        status=$(st_status "$boot" blk-attach-$who)
        mark=$(grep -ao 'ST-GUEST enhanced disk xvdb: [A-Za-z0-9 -]*' "$ST_OUT/$boot.log" | head -n1)
        st_expect "xl block-attach ($tag) to the dom0less domain: the guest reads the disk" \
            "$(st_describe_status "$status"): $(st_data "$boot" blk-attach-$who | tr '\n' ' ')guest: ${mark:-nothing}" \
            sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q "ST-DISK marker"' _ "$status" "$mark"
        status=$(st_status "$boot" pv-create-$who)
        st_expect "xl create ($tag) with vif= and disk=: the guest pings dom0 and reads its disk" \
            "$(st_describe_status "$status"): $(st_data "$boot" pv-create-$who | tr '\n' ' ')ping: $(st_value "$boot" pv-ping-$who); disk: $(st_value "$boot" pv-disk-$who)" \
            sh -c '[ "$1" = 0 ] && [ "$2" = yes ] && [ "$3" = yes ]' _ "$status" "$(st_value "$boot" pv-ping-$who)" "$(st_value "$boot" pv-disk-$who)"
    done
    # Ours against Debian's: the device nodes, the list formats, and what detach and destroy leave.
    local dir=$ST_OUT/compare pair report
    for pair in "vif:xs-net" "vbd:xs-blk" "create:xs-pv"; do
        kind=${pair%%:*}
        local ddeb="" dours=""
        [ "$kind" != create ] || { ddeb=$(st_pv_domid debian); dours=$(st_pv_domid ours); }
        st_data debian "${pair#*:}-debian" | st_normalise "$ddeb" | st_device_nodes >"$dir/pv-$kind-debian.xs"
        st_data ours "${pair#*:}-ours" | st_normalise "$dours" | st_device_nodes >"$dir/pv-$kind-ours.xs"
        if [ ! -s "$dir/pv-$kind-debian.xs" ] || [ ! -s "$dir/pv-$kind-ours.xs" ]; then
            st_result FAIL "PV $kind xenstore nodes: ours vs Debian's" "a dump is missing or has no device nodes (Debian: $(wc -l <"$dir/pv-$kind-debian.xs"), ours: $(wc -l <"$dir/pv-$kind-ours.xs"))"
        elif report=$(st_compare_trees "pv-$kind" "$dir/pv-$kind-debian.xs" "$dir/pv-$kind-ours.xs"); then
            st_result PASS "PV $kind xenstore nodes: ours vs Debian's" "$(st_count_lines "$report") differences, all documented"
        else
            st_result FAIL "PV $kind xenstore nodes: ours vs Debian's" "differences not documented (marked UNEXPECTED below)"
        fi
        [ -z "${report:-}" ] || printf '%s\n' "$report"
        report=""
    done
    for pair in "network-list:net-list" "block-list:blk-list"; do
        local a b
        a=$(st_data ours "${pair#*:}-debian-ours"); b=$(st_data ours "${pair#*:}-ours")
        st_expect "xl ${pair%%:*} (ours) prints what Debian's prints for the same device" \
            "Debian: $(printf '%s' "$a" | tr '\n' ';') ours: $(printf '%s' "$b" | tr '\n' ';')" sh -c '[ -n "$1" ] && [ "$1" = "$2" ]' _ "$a" "$b"
    done
    for pair in "network-detach:xs-net-detached" "block-detach:xs-blk-detached" "destroy of the vif/disk guest:xs-pv-destroyed"; do
        local a b
        a=$(st_data debian "${pair#*:}-debian" | st_normalise | tr '\n' ';'); b=$(st_data ours "${pair#*:}-ours" | st_normalise | tr '\n' ';')
        st_expect "xl ${pair%%:*} (ours) leaves xenstore as Debian's does" "Debian's changes: ${a:-none}; ours: ${b:-none}" \
            sh -c '[ "$1" = "$2" ] && [ -n "$3" ]' _ "$a" "$b" "$(st_status ours net-attach-ours)"
    done
}

# The domid of the vif/disk guest in BOOT's dump, from its backend nodes.
st_pv_domid() { st_data "$1" "xs-pv-$1" | sed -n 's|^/local/domain/0/backend/vif/\([0-9]*\)/.*|\1|p' | head -n1; }

# xl reboot and shutdown of the dom0less domain 1 (ours): reboot refused in one line saying why,
# shutdown -w through its PV control node ends it (gone, or listed as shut down).
st_check_dom0less_shutdown() {
    local status out row
    status=$(st_status ours dl-console-ours); out=$(st_data ours dl-console-ours | tr '\n' ' ')
    st_expect "xl console (ours) of the dom0less domain says how to reach its vpl011" \
        "$(st_describe_status "$status"): $out(Debian's: $(st_describe_status "$(st_status ours dl-console-debian)"): $(st_data ours dl-console-debian | tr '\n' ' '))" \
        sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "vpl011.*Ctrl-A"' _ "$status" "$out"
    status=$(st_status ours dl-reboot-ours); out=$(st_data ours dl-reboot-ours | tr '\n' ' ')
    st_expect "xl reboot (ours) of a dom0less domain is refused with the reason" "$(st_describe_status "$status"): $out" \
        sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "dom0less"' _ "$status" "$out"
    status=$(st_status ours dl-shutdown-ours)
    row=$(st_data ours dl-list-after | awk '$2 == 1')
    st_expect "xl shutdown -w (ours) of the dom0less domain" "$(st_describe_status "$status"): $(st_data ours dl-shutdown-ours | tr '\n' ' ')after: ${row:-domain 1 gone}" \
        sh -c '[ "$1" = 0 ] && { [ -z "$2" ] || [ "${2#*s}" != "$2" ]; }' _ "$status" "$(printf '%s' "$row" | awk '{print $5}')"
}
