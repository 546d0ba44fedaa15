// SPDX-License-Identifier: Apache-2.0
/// Hand-written configs for the differential test: upstream example shapes, seed 003's passthrough config, and
/// the corners of libxlutil's grammar. Each is parsed by both parsers.
enum HandWrittenCorpus {
    static let pvlinux = """
        # =====================================================================
        # Example PV Linux guest configuration
        # =====================================================================
        #
        # This is a fairly minimal example of what is required for a
        # Paravirtualised Linux guest. For a more complete guide see xl.cfg(5)

        # Guest name
        name = "example.pvlinux"

        # 128-bit UUID for the domain as a hexadecimal number.
        # Use "uuidgen" to generate one if required.
        # The default behavior is to generate a new UUID each time the guest is started.
        #uuid = "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX"

        # Kernel image to boot
        kernel = "/boot/vmlinuz"

        # Ramdisk (optional)
        #ramdisk = "/boot/initrd.gz"

        # Kernel command line options
        extra = "root=/dev/xvda1"

        # Initial memory allocation (MB)
        memory = 128

        # Maximum memory (MB)
        # If this is greater than `memory' then the slack will start ballooned
        # (this assumes guest kernel support for ballooning)
        #maxmem = 512

        # Number of VCPUS
        vcpus = 2

        # Network devices
        # A list of 'vifspec' entries as described in
        # docs/misc/xl-network-configuration.markdown
        vif = [ '' ]

        # Disk Devices
        # A list of `diskspec' entries as described in
        # docs/misc/xl-disk-configuration.txt
        disk = [ '/dev/vg/guest-volume,raw,xvda,rw' ]

        """

    static let armPassthrough = """
        name = "midway-guest"
        type = "pvh"
        kernel = "/root/Image"
        memory = 512
        vcpus = 1
        device_tree = "/root/guest-midway.dtb"
        dtdev = [ "/soc/ethernet@fff51000" ]
        irqs = [ 112, 113, 114 ]
        iomem = [ "0xfff51,1@0x10000" ]

        """

    static let zynqPassthrough = """
        name="zynqmp-gem"
        kernel='/boot/Image'
        memory=1024
        vcpus=2
        extra="console=hvc0 root=/dev/ram0"
        device_tree="/etc/xen/passthrough-example-part.dtb"
        dtdev = ["/amba/ethernet@ff0e0000",
                 "/amba/dma@fd500000", # trailing comment inside a list
                ]
        irqs=[ 95,
               121, ]
        iomem = [
            "0xff0e0,1",
            "0xfd500,1@0xfd500",
        ]
        passthrough = "enabled"
        gic_version = "v2"
        vuart = "sbsa_uart"
        on_crash = "preserve"
        """

    /// The passthrough keys' corners: what xl's `xl_parse.c` accepts, rejects, or warns about and ignores.
    /// Each is a whole config, so Debian's real `xl -N create` can read it too (`RealXLOracleTests`).
    static let passthroughCases: [(String, String)] = [
        ("pt: seed 003 keys only", "irqs = [ 112, 113, 114 ]\niomem = [ \"0xfff51,1@0x10000\" ]\ndtdev = [ \"/soc/ethernet@fff51000\" ]\ndevice_tree = \"/root/p.dtb\"\n"),
        ("pt: two iomem ranges", "iomem = [ \"0xff0e0,1\", \"fd500,0x10@fd600\" ]\n"),
        ("pt: uppercase hex digits and 0X", "iomem = [ \"0XFF0E0,A@0xABC\" ]\n"),
        ("pt: iomem with spaces after comma", "iomem = [ \" 10, 2\" ]\n"),
        ("pt: iomem with space before comma", "iomem = [ \"10 ,2\" ]\n"),
        ("pt: iomem without NUM", "iomem = [ \"0x10\" ]\n"),
        ("pt: iomem with empty GFN", "iomem = [ \"10,2@\" ]\n"),
        ("pt: iomem with trailing garbage", "iomem = [ \"10,2@3x\" ]\n"),
        ("pt: iomem word", "iomem = [ \"bad\" ]\n"),
        ("pt: iomem zero pages", "iomem = [ \"0x10,0\" ]\n"),
        ("pt: iomem past 64 bits", "iomem = [ \"ffffffffffffffffff,1\" ]\n"),
        ("pt: iomem single value", "iomem = \"10,2\"\n"),
        ("pt: iomem number item", "iomem = [ 16 ]\n"),
        ("pt: irqs as strings", "irqs = [ \"112\", \"0113\" ]\n"),
        ("pt: irqs hexadecimal", "irqs = [ 0x70 ]\n"),
        ("pt: irqs empty string", "irqs = [ \"\" ]\n"),
        ("pt: irqs negative string", "irqs = [ \"-1\" ]\n"),
        ("pt: irqs leading space", "irqs = [ \" 112\" ]\n"),
        ("pt: irqs plus sign", "irqs = [ \"+112\" ]\n"),
        ("pt: irqs exponent", "irqs = [ \"1e2\" ]\n"),
        ("pt: irqs 2^32-1", "irqs = [ 4294967295 ]\n"),
        ("pt: irqs 65536", "irqs = [ 65536 ]\n"),
        ("pt: irqs below 32", "irqs = [ 31 ]\n"),
        ("pt: irqs twice", "irqs = [ 112, 112 ]\n"),
        ("pt: irqs nested", "irqs = [ [ 40 ], 41 ]\n"),
        ("pt: irqs single value", "irqs = 112\n"),
        ("pt: irqs empty list", "irqs = [ ]\n"),
        ("pt: dtdev nested stops xl's loop", "dtdev = [ \"/a\", [ \"/b\" ], \"/c\" ]\n"),
        ("pt: dtdev single value", "dtdev = \"/amba/ethernet@ff0e0000\"\n"),
        ("pt: dtdev number", "dtdev = [ 5 ]\n"),
        ("pt: dtdev empty path", "dtdev = [ \"\" ]\n"),
        ("pt: dtdev appended", "dtdev = [ \"/a\" ]\ndtdev += [ \"/b\" ]\n"),
        ("pt: device_tree list", "device_tree = [ \"/root/p.dtb\" ]\n"),
        ("pt: device_tree number", "device_tree = 5\n"),
        ("pt: device_tree empty", "device_tree = \"\"\n"),
        ("pt: device_tree last wins", "device_tree = \"/a.dtb\"\ndevice_tree = \"/b.dtb\"\n"),
        ("pt: device_tree appended", "device_tree = \"/root/\"\ndevice_tree += \"p.dtb\"\n"),
    ].map { ($0.0, "name = \"pt\"\nkernel = \"/boot/Image\"\n" + $0.1) }

    /// `(name, text)` pairs; every one must get the same verdict and values from both parsers.
    static let cases: [(String, String)] = passthroughCases + [
        ("xlexample.pvlinux", pvlinux),
        ("arm passthrough (seed 003)", armPassthrough),
        ("zynqmp passthrough", zynqPassthrough),
        ("empty", ""),
        ("only newline", "\n"),
        ("only comments", "# one\n# two\n"),
        ("blank lines and spaces", "\n\n   \n\t\n"),
        ("single quotes", "a = 'x'\n"),
        ("double quotes", "a = \"x\"\n"),
        ("quote inside other quote", "a = \"it's\"\nb = 'say \"hi\"'\n"),
        ("simple escapes", "a = \"q\\\" a\\' b\\\\ n\\n t\\t r\\r v\\v f\\f b\\b a\\a\"\n"),
        ("unknown escape", "a = \"\\q\"\n"),
        ("escaped newline is not a continuation", "a = \"x\\\ny\"\n"),
        ("unterminated string", "a = \"abc\n"),
        ("string spanning lines", "a = \"ab\ncd\"\n"),
        ("hash inside string", "a = \"x#y\" # real comment\n"),
        ("comment after value", "a = 1 # c\n"),
        ("comment glued to value", "a=1#c\n"),
        ("no newline at end", "a = 1"),
        ("no newline after list", "a = [1,\n2]"),
        ("semicolons", "a = 1; b = 2\n"),
        ("semicolon at end of file", "a = 1;"),
        ("lone semicolons", ";;\n;\n"),
        ("trailing comma", "a = [ 1, 2, ]\n"),
        ("list over lines", "a = [\n 1\n ,\n 2\n\n]\n"),
        ("empty list", "a = []\n"),
        ("empty list over lines", "a = [\n\n]\n"),
        ("comma only list", "a = [ , ]\n"),
        ("double comma", "a = [ 1,, 2 ]\n"),
        ("nested lists", "a = [ [ \"x\" ], \"y\", [ [ ] ] ]\n"),
        ("deep nesting", "a = [[[[[[1]]]]]]\n"),
        ("unclosed list", "a = [ 1, 2\n"),
        ("unclosed list at eof", "a = [ 1, 2"),
        ("semicolon in list", "a = [ 1; 2 ]\n"),
        ("duplicate keys", "a = 1\nb = 2\na = 3\n"),
        ("duplicate list keys", "a = [1]\na = [2, 3]\n"),
        ("string append", "s = \"x\"\ns += \"y\"\ns += 'z'\n"),
        ("list append", "l = [1]\nl += [2]\nl += [3, 4]\n"),
        ("append without previous", "a += \"x\"\n"),
        ("append list to string", "a = \"x\"\na += [1]\n"),
        ("append string to list", "a = [1]\na += \"x\"\n"),
        ("append numbers", "n = 1\nn += 2\n"),
        ("append then assign", "a = \"x\"\na += \"y\"\na = \"z\"\n"),
        ("append to other key", "a = \"x\"\nb += \"y\"\n"),
        ("hex number", "a = 0x10\n"),
        ("uppercase hex", "a = 0x1F\n"),
        ("octal number", "a = 0777\n"),
        ("bad octal", "a = 09\n"),
        ("exponent", "a = 1e3\n"),
        ("number with letters", "a = 12abc\n"),
        ("number then word", "a = 12xyz\n"),
        ("negative number", "a = -1\n"),
        ("quoted negative number", "a = \"-1\"\n"),
        ("fraction", "a = 1.5\n"),
        ("plus sign", "a = +1\n"),
        ("python continuation", "a = 1 \\\n+ 2\n"),
        ("python call", "a = foo(1)\n"),
        ("bare word", "a = pvh\n"),
        ("two strings", "a = \"x\" \"y\"\n"),
        ("uppercase key", "A = 1\n"),
        ("key with digits underscores dots", "a1_b.c2 = 1\nx_ = 2\nz. = 3\n"),
        ("key starting with underscore", "_a = 1\n"),
        ("key starting with digit", "1a = 1\n"),
        ("missing value", "a =\n"),
        ("value on next line", "a =\n1\n"),
        ("missing equals", "a 1\n"),
        ("equals only", "= 1\n"),
        ("crlf", "a = 1\r\nb = 2\r\n"),
        ("tabs", "a\t=\t1\t\n"),
        ("form feed", "a = 1\u{0C}\n"),
        ("utf8 in string", "a = \"héllo ✓\"\n"),
        ("utf8 in comment", "# héllo ✓\na = 1\n"),
        ("utf8 outside string", "a = é\n"),
        ("long list", "a = [" + (0..<300).map(String.init).joined(separator: ",") + "]\n"),
        ("large number", "a = 99999999999999999999\n"),
        ("long max", "a = 9223372036854775807\nb = 9223372036854775808\n"),
        ("quoted hex for long", "a = \"0x7fffffffffffffff\"\nb = \" 12\"\nc = \"12 \"\n"),
        ("statement without newline after list item", "a = [1] b = 2\n"),
        ("colon", "a : 1\n"),
        ("dot value", "a = .5\n"),
        ("parenthesised", "a = (1)\n"),
        ("static_shm style", "static_shm = [ \"id=ID1, begin=0x100000, size=0x100000, role=owner\" ]\n"),
        ("xl disk spec", "disk = [ 'format=raw, vdev=xvda, access=rw, target=/dev/vg/guest' ]\n"),
        ("error then valid lines", "a = -1\nb = 2\n"),
        ("comment at end of list", "a = [ 1, # one\n 2 # two\n ]\n"),
    ]
}
