import Crypto
import Foundation
import HummingbirdTesting
import RampartCore
import RampartGuard
import Synchronization
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

/// The order of equal-rank results as a canary: a search by filters alone ranks every
/// result the same, and each viewer is served them in an order of its own. A copy of the
/// pages with every ID and link stripped, the records unchanged, still says whose pages
/// they were. Before, every viewer got the same order and the copy named no one.
@Suite struct ResultOrderCanaryTests {
    /// The pages of `company` a member reads (by filter alone), each as the list of its
    /// cards' names, headlines and companies, in the order served.
    static func pages(_ client: some TestClientProtocol, _ server: TestServer, _ member: Member, pages: Int) async throws -> [[[String: String]]] {
        var cursor: String?
        var read: [[[String: String]]] = []
        for page in 0..<pages {
            server.clock.advance(by: 30)
            let (status, body, _) = try await client.json(.get, "/api/v1/search?company=Globex" + (cursor.map { "&cursor=\($0)" } ?? ""), token: member.token)
            #expect(status == .ok, "page \(page): \(body)")
            let results = try #require(body["results"] as? [[String: Any]])
            read.append(results.map { card in
                ["name": card["name"] as? String ?? "", "headline": card["headline"] as? String ?? "", "company": card["company"] as? String ?? ""]
            })
            cursor = body["nextCursor"] as? String
            if cursor == nil { break }
        }
        return read
    }

    @Test func copiedPagesOfAFilterSearchNameTheirViewerByTheResultsOrderAlone() async throws {
        // Budgets wide enough for six pages each (the shipped ones stop a member at three an hour).
        let server = try await TestServer.make(policy: try DetectionServerTests.policy())
        _ = try await server.addMembers(60)
        let harvester = LockedMember(), other = LockedMember()
        let served = Mutex<[[[[String: String]]]]>([])
        try await server.test { client in
            let first = try await client.register(on: server, name: "Harvester")
            let second = try await client.register(on: server, name: "Reader")
            harvester.set(first)
            other.set(second)
            let mine = try await Self.pages(client, server, first, pages: 6)
            let theirs = try await Self.pages(client, server, second, pages: 6)
            served.withLock { $0 = [mine, theirs] }
        }
        let (mine, theirs) = served.withLock { ($0[0], $0[1]) }
        #expect(mine.count >= 5)
        // The same members on each page, in another order.
        #expect(zip(mine, theirs).allSatisfy { Set($0.map { $0["name"] ?? "" }) == Set($1.map { $0["name"] ?? "" }) })
        #expect(zip(mine, theirs).contains { $0.map { $0["name"] ?? "" } != $1.map { $0["name"] ?? "" } })

        // The harvester's copy: one saved page a file, every ID and link stripped.
        let directory = NSTemporaryDirectory() + "rampart-order-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: directory + "-case")
        }
        for (index, page) in mine.enumerated() {
            let items = page.map { "<li><b>\($0["name"] ?? "")</b> · \($0["headline"] ?? "") · \($0["company"] ?? "")</li>" }.joined()
            try "<html><ul>\(items)</ul></html>".write(toFile: "\(directory)/page-\(index).html", atomically: true, encoding: .utf8)
        }
        let members = try await server.store.profiles(after: nil, limit: 1_000)
        let searchers = try await server.store.viewers(of: .searchPage)
        let first = try #require(harvester.get()), second = try #require(other.get())
        #expect(Set(searchers) == [first.account, second.account])

        let report = try MirrorAttribution.scan(
            [directory], codec: server.codec, members: members, orderViewers: searchers, resultOrder: server.dependencies.resultOrder)
        // Read without the server's secret (as a framer would have to order pages), the copy names no one.
        let guessed = ResultOrder(secret: SymmetricKey(size: .bits256))
        #expect(try MirrorAttribution.scan([directory], codec: server.codec, members: members, orderViewers: searchers, resultOrder: guessed).implicated.isEmpty)
        #expect(report.implicated.map(\.account) == [String(first.account.rawValue)])
        let order = try #require(report.implicated.first?.resultOrder)
        #expect(order.inItsOrder == order.pairs && order.pairs == 30)
        #expect(order.innocentChance < 1e-3)
        #expect(report.implicated.first?.confidence == "high")
        #expect(report.text().contains("Results' order"))

        // The harvester's case file states it, and how many of the copy's members it was served.
        var withServed = report
        try await withServed.noteServed { account in
            Set(try await server.store.accessEvents(viewer: account, limit: 1_000).flatMap(\.subjects).map(\.rawValue))
        }
        #expect(withServed.implicated.first?.servedInCopy == 60)
        _ = try await server.dependencies.treeHeads.publish()
        let written = try await CaseFile.write(
            store: server.store, accounts: [first.account], subject: "account \(first.account.rawValue)", clusterLinks: [], from: nil, to: nil,
            publicKey: server.dependencies.treeHeads.publicKey, directory: directory + "-case", now: server.clock.now(), mirror: withServed)
        let market = written.caseFile.sections[6].statements
        #expect(market.contains { $0.text.contains("in the order account \(first.account.rawValue) alone was served them") && !$0.evidence.isEmpty })
        #expect(market.contains { $0.text.contains("holds the records of 60 members") && $0.text.contains("60 of them were served") })
        // Shuffled within each page (a mirror that reorders its records), it names no one.
        for (index, page) in mine.enumerated() {
            let items = page.reversed().map { "<li><b>\($0["name"] ?? "")</b> · \($0["headline"] ?? "") · \($0["company"] ?? "")</li>" }.joined()
            try "<html><ul>\(items)</ul></html>".write(toFile: "\(directory)/page-\(index).html", atomically: true, encoding: .utf8)
        }
        #expect(
            try MirrorAttribution.scan([directory], codec: server.codec, members: members, orderViewers: searchers, resultOrder: server.dependencies.resultOrder)
                .implicated.isEmpty)
    }
}
