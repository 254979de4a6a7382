import Foundation
import RampartCore
import RampartGuard
import Testing

@testable import RampartApp
@testable import RampartServer

@Suite("Encoded bodies")
struct EncodedBodiesTests {
    @Test(arguments: ["plain", "quote\" back\\slash /path", "line\nbreak\ttab\rreturn\u{8}\u{c}", "\u{1}\u{1f}\u{7f}", "李伟 Müller 😀"])
    func writtenStringsReadBackAsThemselves(_ text: String) throws {
        var json = JSONObjectWriter()
        json.string("k\"ey", text)
        json.int("n", -42)
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(json.finish())) as? [String: Any])
        #expect(decoded["k\"ey"] as? String == text)
        #expect(decoded["n"] as? Int == -42)
    }

    @Test func aProfileEncodedOnceReadsTheSameForTwoViewersWithTheirOwnFields() throws {
        let member = AccountID.random()
        let profile = Profile(
            accountID: member, name: "Anna \"A\" Müller", headline: "Engineer", company: "SAP", location: "Berlin", about: "Line one\nline two",
            experience: [Experience(title: "Engineer", company: "SAP", start: YearMonth(year: 2019, month: 3), end: nil)],
            skills: ["Swift", "C/C++"])
        let visible = Visibility.view(of: profile, for: ViewerRelation(tier: .free, degree: .second))
        let bodies = EncodedBodies()
        func shown(_ token: String, count: Int?) -> NetworkService.ShownProfile {
            NetworkService.ShownProfile(token: token, visible: visible, degree: .second, connectionCount: count, pendingInvitation: nil, budget: nil)
        }
        func decode(_ bytes: [UInt8]) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        }
        let first = try decode(try bodies.profile(shown("token-one", count: 32), viewer: .random()) { _ in "" })
        let second = try decode(try bodies.profile(shown("token-two", count: nil), viewer: .random()) { _ in "" })
        #expect(first["id"] as? String == "token-one")
        #expect(second["id"] as? String == "token-two")
        #expect(first["connectionCount"] as? Int == 32)
        #expect(second["connectionCount"] == nil)
        #expect(first["degree"] as? String == "2nd")
        // The member's content: as the encoder writes it, the same for both.
        let content = try decode([UInt8](try JSONResponse.encoder().encode(ProfileContent(visible))))
        #expect(!content.isEmpty)
        func canonical(_ value: Any?) throws -> Data {
            try JSONSerialization.data(withJSONObject: [value ?? NSNull()], options: [.sortedKeys])
        }
        for (key, value) in content {
            #expect(try canonical(first[key]) == canonical(value), "\(key)")
            #expect(try canonical(second[key]) == canonical(value), "\(key)")
        }
        #expect(first.count == content.count + 3)
    }

    @Test func anEditedProfileIsEncodedAgainUnderTheSameMemberAndCategories() throws {
        var profile = Profile(accountID: .random(), name: "Li Wei", headline: "Engineer", company: "Acme")
        let bodies = EncodedBodies()
        func headline() throws -> String? {
            let visible = Visibility.view(of: profile, for: ViewerRelation(tier: .free, degree: .second))
            let shown = NetworkService.ShownProfile(token: "t", visible: visible, degree: .second, connectionCount: nil, pendingInvitation: nil, budget: nil)
            let json = try JSONSerialization.jsonObject(with: Data(try bodies.profile(shown, viewer: .random()) { _ in "" })) as? [String: Any]
            return json?["headline"] as? String
        }
        #expect(try headline() == "Engineer")
        profile.headline = "Staff Engineer"
        #expect(try headline() == "Staff Engineer")
    }
}
