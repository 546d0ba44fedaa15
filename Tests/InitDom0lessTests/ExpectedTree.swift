// SPDX-License-Identifier: Apache-2.0
/// The xenstore entries init-dom0less must leave for `web` (domain 2, 2 vCPUs, 256 MiB, first uuid of the
/// fixed environment), with libxl's permissions: the guest reads its home and owns only what it writes.
enum ExpectedTree {
    static func web(ringRef: String) -> [String] {
        let uuid = "11111111-1111-4111-9111-111111111111"
        let home = "/local/domain/2"
        let json = #"{"b_info":{"max_memkb":262144,"max_vcpus":2,"target_memkb":262144},"c_info":{"name":"web","type":"pvh","uuid":"\#(uuid)"}}"#
        return [
            "\(home) = \"\" n0,r2",
            "\(home)/attr = \"\" n2",
            "\(home)/control = \"\" n0,r2",
            "\(home)/control/feature-poweroff = \"1\" n2",
            "\(home)/control/feature-reboot = \"1\" n2",
            "\(home)/control/feature-suspend = \"\" n2",
            "\(home)/control/platform-feature-multiprocessor-suspend = \"1\" n0,r2",
            "\(home)/control/platform-feature-xs_reset_watches = \"1\" n0,r2",
            "\(home)/control/shutdown = \"\" n2",
            "\(home)/control/sysrq = \"\" n2",
            "\(home)/cpu = \"\" n0,r2",
            "\(home)/cpu/0 = \"\" n0,r2",
            "\(home)/cpu/0/availability = \"online\" n0,r2",
            "\(home)/cpu/1 = \"\" n0,r2",
            "\(home)/cpu/1/availability = \"online\" n0,r2",
            "\(home)/data = \"\" n2",
            "\(home)/device = \"\" n0,r2",
            "\(home)/device/suspend = \"\" n0,r2",
            "\(home)/device/suspend/event-channel = \"\" n2",
            "\(home)/domid = \"2\" n0,r2",
            "\(home)/drivers = \"\" n2",
            "\(home)/feature = \"\" n2",
            "\(home)/memory = \"\" n0,r2",
            "\(home)/memory/static-max = \"262144\" n0,r2",
            "\(home)/memory/target = \"262144\" n0,r2",
            "\(home)/memory/videoram = \"-1\" n0,r2",
            "\(home)/name = \"web\" n0,r2",
            "\(home)/store = \"\" n0,r2",
            "\(home)/store/port = \"1\" n0,r2",
            "\(home)/store/ring-ref = \"\(ringRef)\" n0,r2",
            "\(home)/vm = \"/vm/\(uuid)\" n0,r2",
            "/libxl/2 = \"\" n0",
            "/libxl/2/dm-version = \"qemu_xen\" n0",
            "/libxl/2/libxl-json = \"\(json)\" n0",
            "/libxl/2/type = \"pvh\" n0",
            "/vm/\(uuid) = \"\" n0,r2",
            "/vm/\(uuid)/name = \"web\" n0,r2",
            "/vm/\(uuid)/start_time = \"1700000000.05\" n0,r2",
            "/vm/\(uuid)/uuid = \"\(uuid)\" n0,r2",
            "introduced: true",
        ].sorted()
    }
}
