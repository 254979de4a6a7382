import Hummingbird
import HTTPTypes
import NIOCore
import Foundation
import Testing
@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

@Suite struct PageRendererTests {
    @Test func rendersTheHomePageInsideTheLayout() async throws {
        let pages = try PageRenderer()
        let response = pages.page("home", ["layout": PageLayout(title: "Rampart", csrf: "x", viewerName: nil)])
        let html = try await collect(response)
        #expect(html.contains("<h1>Rampart</h1>"), "\(html)")
    }
}

func collect(_ response: Response) async throws -> String {
    final class Box: @unchecked Sendable { var buffer = ByteBuffer() }
    let box = Box()
    struct Writer: ResponseBodyWriter {
        let box: Box
        mutating func write(_ buffer: ByteBuffer) async throws { var b = buffer; box.buffer.writeBuffer(&b) }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
    _ = try await response.body.write(Writer(box: box))
    return String(buffer: box.buffer)
}
