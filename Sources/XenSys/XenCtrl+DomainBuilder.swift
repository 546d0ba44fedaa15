// SPDX-License-Identifier: Apache-2.0
import CFdt
import CXen
import XenTypes

/// What the ARM domain builder loads into a new, paused domain (libxl's `libxl__build_hvm` for a PVH guest).
public struct XenARMBuildRequest: Sendable {
    public var kernel: [UInt8]
    public var ramdisk: [UInt8]?
    /// The guest device tree; `/chosen/linux,initrd-*` (8 bytes each) is rewritten in place with where the
    /// builder put the ramdisk, as libxl's `libxl__arch_domain_finalise_hw_description` does.
    public var deviceTree: [UInt8]
    public var cmdline: String?
    /// Guest RAM to populate, in MiB (`xc_dom_mem_init`).
    public var memoryMiB: UInt32
    public var maxVCPUs: UInt32
    /// Unbound ports the toolstack allocated for the xenstore and console rings, and their back ends.
    public var storeEventChannel: UInt32
    public var storeDomain: UInt32
    public var consoleEventChannel: UInt32
    public var consoleDomain: UInt32
    /// Set up the emulated SBSA UART (`xc_dom_vuart_init`, `XEN_DOMCTL_VUART_TYPE_VPL011`).
    public var vpl011: Bool

    public init(kernel: [UInt8], ramdisk: [UInt8]?, deviceTree: [UInt8], cmdline: String?, memoryMiB: UInt32, maxVCPUs: UInt32,
                storeEventChannel: UInt32, storeDomain: UInt32, consoleEventChannel: UInt32, consoleDomain: UInt32, vpl011: Bool) {
        self.kernel = kernel
        self.ramdisk = ramdisk
        self.deviceTree = deviceTree
        self.cmdline = cmdline
        self.memoryMiB = memoryMiB
        self.maxVCPUs = maxVCPUs
        self.storeEventChannel = storeEventChannel
        self.storeDomain = storeDomain
        self.consoleEventChannel = consoleEventChannel
        self.consoleDomain = consoleDomain
        self.vpl011 = vpl011
    }
}

/// Where the builder put things: the magic pages (`xenstore_pfn`, `console_pfn`, `vuart_gfn`) and the segments.
public struct XenARMBuildResult: Hashable, Sendable {
    public var storePFN: UInt64
    public var consolePFN: UInt64
    /// The vpl011's ring frame and its event channel, when asked for.
    public var vpl011PFN: UInt64?
    public var vpl011EventChannel: UInt32?
    public var kernelStart: UInt64
    public var kernelEnd: UInt64
    public var ramdiskStart: UInt64?
    public var ramdiskEnd: UInt64?
    public var deviceTreeStart: UInt64
}

/// A failed libxenctrl/libxenguest call of the domain builder: its name, the errno it left and
/// libxenguest's own reason when it gave one (its errno alone is often a bare EIO or EINVAL).
public struct XenBuildError: Error, Hashable, Sendable {
    public var call: String
    public var errno: Errno
    public var reason: String?
    public init(_ call: String, _ errno: Errno, reason: String? = nil) {
        self.call = call
        self.errno = errno
        self.reason = reason
    }
}

extension XenCtrl {
    /// `GUEST_RAM_BASE` of `xen/include/public/arch-arm.h` (absent from non-ARM headers).
    public static let guestRAMBase: UInt64 = 0x4000_0000

    /// `HVM_PARAM_CALLBACK_IRQ` for ARM: type PPI (2) in bits 63:56, active-low level (2) in bits 15:8,
    /// `GUEST_EVTCHN_PPI` (31): the interrupt Xen raises for event channels.
    public static let callbackIRQ: UInt64 = (2 << 56) | (2 << 8) | 31

    /// `xc_domain_max_vcpus`: allocates the vCPUs (`XEN_DOMCTL_max_vcpus`, still required after createdomain).
    public func setMaxVCPUs(domid: UInt32, count: UInt32) throws(Errno) {
        Errno.clear()
        guard xc_domain_max_vcpus(handle, domid, count) == 0 else { throw Errno.current }
    }

    /// `xc_set_paging_mempool_size`: the pool Xen takes the guest's P2M page tables from, in bytes.
    public func setPagingMempoolSize(domid: UInt32, bytes: UInt64) throws(Errno) {
        Errno.clear()
        guard xc_set_paging_mempool_size(handle, domid, bytes) == 0 else { throw Errno.current }
    }

    /// `xc_evtchn_alloc_unbound`: a port of `domid` that `remote` may bind.
    public func allocateUnboundEventChannel(domid: UInt32, remote: UInt32) throws(Errno) -> UInt32 {
        Errno.clear()
        let port = xc_evtchn_alloc_unbound(handle, domid, remote)
        guard port >= 0 else { throw Errno.current }
        return UInt32(port)
    }

    /// Builds an ARM PVH guest with libxenguest in libxl's order: `xc_dom_allocate` (command line),
    /// kernel and ramdisk from memory, `xc_dom_boot_xen_init`, `xc_dom_rambase_init`, `xc_dom_parse_image`,
    /// the event-channel callback PPI and the device tree (libxl's arch hook), `xc_dom_mem_init`,
    /// `xc_dom_boot_mem_init`, the initrd fix-up, `xc_dom_build_image`, `xc_dom_boot_image`,
    /// `xc_dom_gnttab_init`, then `xc_dom_vuart_init` when asked. The builder itself sets
    /// `HVM_PARAM_STORE_PFN`, `HVM_PARAM_CONSOLE_PFN` and both event-channel parameters.
    /// Only an arm64 build can run it; elsewhere `EOPNOTSUPP` (x86 libxenguest has no ARM loader).
    public func buildARMGuest(domid: UInt32, _ request: XenARMBuildRequest) throws(XenBuildError) -> XenARMBuildResult {
        guard Self.isARM else { throw XenBuildError("xc_dom_allocate", .EOPNOTSUPP) }
        let images = BuilderImages(request)
        defer { images.release() }
        Errno.clear()
        guard let dom = (request.cmdline ?? "").withCString({ xc_dom_allocate(handle, $0, nil) }) else {
            throw XenBuildError("xc_dom_allocate", .current)
        }
        defer { xc_dom_release(dom) }

        dom.pointee.container_type = XC_DOM_HVM_CONTAINER
        dom.pointee.target_pages = xen_pfn_t(UInt64(request.memoryMiB) << 8)
        try step("xc_dom_kernel_mem") { xc_dom_kernel_mem(dom, images.kernel.baseAddress, images.kernel.count) }
        if let ramdisk = images.ramdisk {
            try step("xc_dom_module_mem") { xc_dom_module_mem(dom, ramdisk.baseAddress, ramdisk.count, nil) }
        }
        dom.pointee.max_vcpus = request.maxVCPUs
        dom.pointee.console_evtchn = request.consoleEventChannel
        dom.pointee.console_domid = request.consoleDomain
        dom.pointee.xenstore_evtchn = request.storeEventChannel
        dom.pointee.xenstore_domid = request.storeDomain

        try step("xc_dom_boot_xen_init") { xc_dom_boot_xen_init(dom, handle, domid) }
        try step("xc_dom_rambase_init") { xc_dom_rambase_init(dom, Self.guestRAMBase) }
        try step("xc_dom_parse_image") { xc_dom_parse_image(dom) }
        try step("xc_hvm_param_set(HVM_PARAM_CALLBACK_IRQ)") {
            xc_hvm_param_set(handle, domid, UInt32(HVM_PARAM_CALLBACK_IRQ), Self.callbackIRQ)
        }
        try step("xc_dom_devicetree_mem") { xc_dom_devicetree_mem(dom, images.deviceTree.baseAddress, images.deviceTree.count) }
        try step("xc_dom_mem_init") { xc_dom_mem_init(dom, request.memoryMiB) }
        try step("xc_dom_boot_mem_init") { xc_dom_boot_mem_init(dom) }

        var ramdiskRange: (UInt64, UInt64)?
        if images.ramdisk != nil {
            let segment = dom.pointee.modules.0.seg
            ramdiskRange = (segment.vstart, segment.vend)
            try Self.setInitrd(in: images.deviceTree, start: segment.vstart, end: segment.vend)
        }
        try step("xc_dom_build_image") { xc_dom_build_image(dom) }
        try step("xc_dom_boot_image") { xc_dom_boot_image(dom) }
        try step("xc_dom_gnttab_init") { xc_dom_gnttab_init(dom) }

        var result = XenARMBuildResult(
            storePFN: UInt64(dom.pointee.xenstore_pfn), consolePFN: UInt64(dom.pointee.console_pfn),
            kernelStart: dom.pointee.kernel_seg.vstart, kernelEnd: dom.pointee.kernel_seg.vend,
            ramdiskStart: ramdiskRange?.0, ramdiskEnd: ramdiskRange?.1, deviceTreeStart: dom.pointee.devicetree_seg.vstart)
        if request.vpl011 {
            var port: evtchn_port_t = 0
            let gfn = dom.pointee.vuart_gfn
            try step("xc_dom_vuart_init") {
                xc_dom_vuart_init(handle, UInt32(XEN_DOMCTL_VUART_TYPE_VPL011), domid, request.consoleDomain, gfn, &port)
            }
            result.vpl011PFN = UInt64(gfn)
            result.vpl011EventChannel = port
        }
        return result
    }

    private static var isARM: Bool {
        #if arch(arm64)
        return true
        #else
        return false
        #endif
    }

    /// One builder call: nonzero is a failure, reported with the errno it left and libxenguest's reason.
    private func step(_ call: String, _ body: () -> Int32) throws(XenBuildError) {
        xc_clear_last_error(handle)
        Errno.clear()
        guard body() == 0 else {
            let failure = Errno.current
            throw XenBuildError(call, failure, reason: lastErrorMessage())
        }
    }

    /// Writes the ramdisk's guest addresses into `/chosen/linux,initrd-start` and `-end` (big-endian 64-bit) in place.
    private static func setInitrd(in blob: UnsafeMutableRawBufferPointer, start: UInt64, end: UInt64) throws(XenBuildError) {
        let call = "fdt_setprop_inplace(/chosen/linux,initrd-*)"
        guard let base = blob.baseAddress else { throw XenBuildError(call, .EINVAL) }
        let chosen = fdt_path_offset(base, "/chosen")
        guard chosen >= 0 else { throw XenBuildError(call, .EINVAL) }
        for (name, value) in [("linux,initrd-start", start), ("linux,initrd-end", end)] {
            var bigEndian = value.bigEndian
            let result = withUnsafeBytes(of: &bigEndian) { fdt_setprop_inplace(base, chosen, name, $0.baseAddress, 8) }
            guard result == 0 else { throw XenBuildError(call, .EINVAL) }
        }
    }
}

/// Copies of the images that stay put while libxenguest holds pointers to them (`xc_dom_*_mem` do not copy).
private struct BuilderImages {
    let kernel: UnsafeMutableRawBufferPointer
    let ramdisk: UnsafeMutableRawBufferPointer?
    let deviceTree: UnsafeMutableRawBufferPointer

    init(_ request: XenARMBuildRequest) {
        kernel = Self.copy(request.kernel)
        ramdisk = request.ramdisk.map(Self.copy)
        deviceTree = Self.copy(request.deviceTree)
    }

    func release() {
        kernel.deallocate()
        ramdisk?.deallocate()
        deviceTree.deallocate()
    }

    private static func copy(_ bytes: [UInt8]) -> UnsafeMutableRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        buffer.copyBytes(from: bytes)
        return UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes.count])
    }
}
