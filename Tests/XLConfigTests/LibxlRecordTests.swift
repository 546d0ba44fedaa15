// SPDX-License-Identifier: Apache-2.0
import XCTest
import XLConfig

/// The record `xl create` keeps is read back into the configuration the monitor restarts from.
final class LibxlRecordTests: XCTestCase {
    private func config(_ text: String) throws -> DomainConfig {
        try DomainConfig(file: ConfigFile(parsing: text, source: "g.cfg"))
    }

    func testARecordReadsBackAsTheSameConfiguration() throws {
        let original = try config("""
            name = "g"
            uuid = "6f1c2e8a-93b1-4c52-9d0e-2b7f4a1c8e55"
            kernel = "/boot/Image"
            memory = 128
            maxmem = 256
            vcpus = 2
            cmdline = "console=hvc0"
            on_reboot = "rename-restart"
            on_watchdog = "restart"
            on_crash = "coredump-destroy"
            on_soft_reset = "destroy"
            irqs = [ 112 ]
            iomem = [ "fff51,1@10000" ]
            """)
        XCTAssertEqual(original.onWatchdog, .restart)
        XCTAssertEqual(original.onSoftReset, .destroy)
        let back = try DomainConfig(libxlRecord: original.libxlJSON(pretty: false))
        XCTAssertEqual(back.libxlJSON(), original.libxlJSON())
        XCTAssertEqual(back.onReboot, .renameRestart)
        XCTAssertEqual(back.maxMemoryMiB, 256)
    }

    func testOlderRecordsAndBadRecords() throws {
        // A record written before on_watchdog existed: upstream's defaults.
        let old = try DomainConfig(libxlRecord: #"{"c_info":{"type":"pvh","name":"g","passthrough":"disabled"},"b_info":{"kernel":"/k"},"on_poweroff":"destroy","on_reboot":"restart","on_crash":"destroy"}"#)
        XCTAssertEqual(old.onWatchdog, .destroy)
        XCTAssertEqual(old.onSoftReset, .softReset)
        XCTAssertThrowsError(try DomainConfig(libxlRecord: #"{"c_info":{"name":"g"}}"#))
        XCTAssertThrowsError(try DomainConfig(libxlRecord: #"{"c_info":{"type":"pvh","name":"g","passthrough":"disabled"},"b_info":{"kernel":"/k"},"on_poweroff":"explode","on_reboot":"restart","on_crash":"destroy"}"#)) {
            XCTAssertEqual(String(describing: $0), "libxl-json: on_poweroff: unknown action \"explode\"")
        }
        XCTAssertThrowsError(try config("name = \"g\"\nkernel = \"/k\"\non_watchdog = \"reboot\"\n")) {
            XCTAssertTrue(String(describing: $0).hasPrefix("g.cfg:3:1: on_watchdog: expected one of"), String(describing: $0))
        }
    }
}
