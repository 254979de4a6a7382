import Foundation
import HTTPTypes
import RampartApp
import Hummingbird
import RampartCore
import RampartGuard

/// The network pages of the web UI: my profile and its editor (with privacy per
/// category), other members' profiles, search, connections and invitations, premium.
struct WebNetworkController {
    let accounts: AccountService
    let network: NetworkService
    let premium: PremiumService
    let pages: PageRenderer
    let session: WebSession

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("me", use: myProfile)
        router.post("me", use: saveMyProfile)
        router.get("members/:profileId", use: memberProfile)
        router.get("photos/:photoId", use: photo)
        router.get("search", use: searchPage)
        router.get("connections", use: connectionsPage)
        router.post("invitations", use: invite)
        router.post("invitations/respond", use: respond)
        router.post("connections/remove", use: removeConnection)
        router.get("premium", use: premiumPage)
        router.post("premium", use: buyPremium)
    }

    // MARK: My profile

    @Sendable func myProfile(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await session.page(request, context) { member in
            try await editor(member, profile: try await network.ownProfile(member.requester), error: nil, notice: nil)
        }
    }

    private func editor(_ member: WebSession.Member, profile: Profile, error: RampartError?, notice: String?) async throws -> Response {
        var layout = member.layout("My profile")
        layout.error = error?.message
        layout.notice = notice
        let privacy = DataCategory.allCases.map { category -> [String: Any] in
            let current = profile.privacy[category]
            return [
                "category": category.rawValue, "label": Self.categoryLabel(category),
                "options": Audience.allCases.map { ["value": $0.rawValue, "label": Self.audienceLabel($0), "selected": $0 == current] },
            ]
        }
        return pages.page("me", [
            "layout": layout, "profileId": network.token(for: member.requester.account.id, viewer: member.requester.account.id),
            "name": profile.name, "headline": profile.headline, "company": profile.company, "location": profile.location,
            "about": profile.about, "photoUrl": profile.photoURL ?? "", "email": profile.email ?? "",
            "contactPhone": profile.contactPhone ?? "", "skills": profile.skills.joined(separator: ", "),
            "experience": profile.experience.map(Self.experienceLine).joined(separator: "\n"),
            "education": profile.education.map(Self.educationLine).joined(separator: "\n"),
            "publicCard": profile.publicCard, "privacy": privacy,
        ] as [String: Any], status: error.map(ErrorMiddleware.status(for:)) ?? .ok)
    }

    @Sendable func saveMyProfile(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await session.form(request, context) { form, member in
            var draft = ProfileDraft()
            draft.name = form.text("name")
            draft.headline = form.text("headline")
            draft.company = form.text("company")
            draft.location = form.text("location")
            draft.about = form.text("about")
            draft.photoUrl = form.text("photoUrl")
            draft.email = form.text("email")
            draft.contactPhone = form.text("contactPhone")
            draft.skills = form.text("skills").split(separator: ",").map { String($0) }
            draft.publicCard = form["publicCard"] == "yes"
            draft.privacy = Dictionary(uniqueKeysWithValues: DataCategory.allCases.compactMap { category in
                form["privacy.\(category.rawValue)"].map { (category.rawValue, $0) }
            })
            do {
                draft.experience = try Self.parseLines(form.text("experience"), fields: 5, label: "experience") { parts in
                    ProfileDraft.ExperienceDraft(title: parts[0], company: parts[1], start: parts[2], end: parts[3], description: parts[4])
                }
                draft.education = try Self.parseLines(form.text("education"), fields: 5, label: "education") { parts in
                    guard let start = Int(parts[3]), let end = Int(parts[4]) else {
                        throw RampartError.invalid(.invalidProfile, "Education years must be numbers, like 2012 | 2016.")
                    }
                    return ProfileDraft.EducationDraft(school: parts[0], degree: parts[1], field: parts[2], startYear: start, endYear: end)
                }
                let saved = try await network.updateOwnProfile(draft, requester: member.requester)
                return try await editor(member, profile: saved, error: nil, notice: "Your profile is saved.")
            } catch let error as RampartError {
                return try await editor(member, profile: try await network.ownProfile(member.requester), error: error, notice: nil)
            }
        }
    }

    // MARK: Other members

    /// A photo link (``NetworkService/photoLink(for:viewer:)``): a redirect to the stored
    /// photo, for anyone holding a fresh link (an image is fetched without credentials), kept
    /// by the client for five minutes; a plain 404 for any other.
    @Sendable func photo(_ request: Request, context: AppRequestContext) async throws -> Response {
        let address = try await network.photoAddress(try context.parameters.require("photoId"))
        return Response(status: .found, headers: [.location: address, .cacheControl: "private, max-age=300"])
    }

    @Sendable func memberProfile(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let viewer = try await session.viewer(request, context) else {
            // The login wall: visitors see a public card if the member opted in, else log in.
            let token = try context.parameters.require("profileId")
            guard let card = try await network.publicCard(token: token, client: context.client(request)) else {
                return WebSession.redirect("/login")
            }
            let csrf = session.cookies.csrf(request)
            return csrf.apply(pages.page("public-card", [
                "layout": PageLayout(title: card.name, csrf: csrf.token, viewerName: nil), "headline": present(card.headline),
            ] as [String: Any]))
        }
        if WebSession.arrivedFromAnotherSite(request) { return WebSession.continuePage(request, pages: pages) }
        return try await session.page(for: viewer, request) { member in
            let token = try context.parameters.require("profileId")
            let shown: NetworkService.ShownProfile
            do {
                shown = try await network.viewProfile(token: token, requester: member.requester)
            } catch let error as RampartError where error.kind == .notFound {
                // An expired or foreign link: lead to search instead of a dead end, with the
                // name filled in when it was this member's own link that expired.
                var layout = member.layout("This link has expired")
                layout.error = error.message
                let name = try await network.nameBehindExpiredLink(token, requester: member.requester) ?? ""
                return pages.page("search", ["layout": layout, "q": name, "results": [] as [Any]] as [String: Any], status: .notFound)
            }
            let visible = shown.visible
            let invitation = shown.pendingInvitation
            var layout = member.layout(visible.name)
            layout.notice = shown.budget.flatMap(network.exposure.warning)
            return pages.page("profile", [
                "layout": layout, "id": shown.token, "name": visible.name,
                "headline": present(visible.headline), "company": present(visible.company), "location": present(visible.location),
                "about": present(visible.about), "photoUrl": present(visible.photoURL), "degree": shown.degree.label,
                "isSelf": shown.degree == .this, "isConnection": shown.degree == .first,
                "canInvite": shown.degree > .first && invitation == nil,
                "invitationSent": invitation.map { $0.sender == member.requester.account.id } ?? false,
                "invitationReceived": invitation.map { $0.recipient == member.requester.account.id } ?? false,
                "invitationId": invitation.map { network.token(for: $0.id, viewer: member.requester.account.id) } ?? "",
                "experience": (visible.experience ?? []).map { entry -> [String: Any] in
                    ["title": entry.title, "company": entry.company, "period": Self.period(entry), "description": entry.description]
                },
                "education": (visible.education ?? []).map { entry -> [String: Any] in
                    ["school": entry.school, "degree": entry.degree, "field": entry.field, "years": "\(entry.startYear)–\(entry.endYear)"]
                },
                "hasExperience": !(visible.experience ?? []).isEmpty, "hasEducation": !(visible.education ?? []).isEmpty,
                "skills": present(visible.skills?.joined(separator: " · ")),
                "email": present(visible.email), "contactPhone": present(visible.contactPhone),
                "connectionsVisible": visible.connectionsVisible, "connectionCount": shown.connectionCount ?? 0,
                "hidden": present(visible.withheld.categories.map(Self.categoryLabel).joined(separator: ", ")),
            ] as [String: Any])
        }
    }

    // MARK: Search

    @Sendable func searchPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if WebSession.arrivedFromAnotherSite(request) { return WebSession.continuePage(request, pages: pages) }
        return try await session.page(request, context) { member in
            let query = request.uri.queryParameters
            func value(_ name: String) -> String { query[name[...]].map(String.init) ?? "" }
            func optional(_ name: String) -> String? { let v = value(name); return v.isEmpty ? nil : v }
            var layout = member.layout("Search people")
            var model: [String: Any] = [
                "q": value("q"), "company": value("company"), "title": value("title"), "school": value("school"),
                "location": value("location"),
            ]
            let searched = ["q", "company", "title", "school", "location"].contains { !value($0).isEmpty }
            // A refused search keeps the form and says why, with the refusal's status
            // (429 for a spent budget, 400 for an expired page link), not a 200.
            var status = HTTPResponse.Status.ok
            if searched {
                do {
                    let page = try await network.search(
                        .init(text: value("q"), company: optional("company"), title: optional("title"), school: optional("school"),
                              location: optional("location"), cursor: optional("cursor")),
                        requester: member.requester)
                    layout.notice = page.budget.flatMap(network.exposure.warning)
                    model["results"] = page.results.map(Self.card)
                    model["searched"] = true
                    model["none"] = page.results.isEmpty
                    if let next = page.nextCursor {
                        var items = ["q", "company", "title", "school", "location"].compactMap { name in
                            optional(name).map { URLQueryItem(name: name, value: $0) }
                        }
                        items.append(URLQueryItem(name: "cursor", value: next))
                        var components = URLComponents()
                        components.path = "/search"
                        components.queryItems = items
                        model["next"] = components.string ?? ""
                    }
                } catch let error as RampartError where !Protection.isLadderRefusal(error) {
                    layout.error = error.message
                    status = ErrorMiddleware.status(for: error)
                }
            }
            model["layout"] = layout
            return pages.page("search", model, status: status)
        }
    }

    // MARK: Connections and invitations

    @Sendable func connectionsPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if WebSession.arrivedFromAnotherSite(request) { return WebSession.continuePage(request, pages: pages) }
        return try await session.page(request, context) { member in
            let query = request.uri.queryParameters
            let of = query["of"].map(String.init)
            let page: NetworkService.ConnectionPage
            do {
                page = try await network.connectionList(of: of, cursor: query["cursor"].map(String.init), requester: member.requester)
            } catch let error as RampartError
                where (error.kind == .forbidden || error.kind == .notFound || error.kind == .invalidInput) && !Protection.isLadderRefusal(error)
            {
                var layout = member.layout("Connections")
                layout.error = error.message
                return pages.page("connections", ["layout": layout, "own": false] as [String: Any], status: ErrorMiddleware.status(for: error))
            }
            let own = of == nil || page.owner.degree == .this
            var layout = member.layout(own ? "My network" : "\(page.owner.visible.name)’s connections")
            layout.notice = page.budget.flatMap(network.exposure.warning)
            var model: [String: Any] = [
                "layout": layout,
                "own": own, "owner": Self.card((page.owner.token, page.owner.visible)),
                "total": page.owner.connectionCount ?? 0, "connections": page.connections.map(Self.card),
                "next": present(page.nextCursor.map { "/connections?" + (of.map { "of=\($0)&" } ?? "") + "cursor=\($0)" }),
            ]
            if own {
                let (received, sent) = try await network.invitations(requester: member.requester)
                model["received"] = received.map(Self.invitation)
                model["sent"] = sent.map(Self.invitation)
            }
            return pages.page("connections", model)
        }
    }

    @Sendable func invite(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await session.form(request, context) { form, member in
            let token = form.text("profileId")
            do {
                _ = try await network.sendInvitation(to: token, message: form.text("message"), requester: member.requester)
            } catch let error as RampartError where error.kind == .conflict || error.kind == .invalidInput {
                return session.notice(error.message, back: "/members/\(token)", pages: pages)
            }
            return WebSession.redirect("/members/\(token)")
        }
    }

    @Sendable func respond(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await session.form(request, context) { form, member in
            let response: NetworkService.Response
            switch form.text("action") {
            case "accept": response = .accept
            case "decline": response = .decline
            case "withdraw": response = .withdraw
            default: throw RampartError.invalid(.invalidAction, "Choose accept, decline or withdraw.")
            }
            do {
                try await network.respond(to: form.text("id"), response, requester: member.requester)
            } catch let error as RampartError where error.kind == .conflict {
                return session.notice(error.message, back: "/connections", pages: pages)
            }
            return WebSession.redirect(form["back"].flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? "/connections")
        }
    }

    @Sendable func removeConnection(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await session.form(request, context) { form, member in
            try await network.removeConnection(form.text("profileId"), requester: member.requester)
            return WebSession.redirect("/connections")
        }
    }

    // MARK: Premium

    @Sendable func premiumPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await session.page(request, context) { member in premiumForm(member, error: nil, notice: nil) }
    }

    private func premiumForm(_ member: WebSession.Member, error: RampartError?, notice: String?) -> Response {
        var layout = member.layout("Premium")
        layout.error = error?.message
        layout.notice = notice
        let account = member.requester.account
        let tier = account.effectiveTier(at: accounts.now())
        return pages.page("premium", [
            "layout": layout, "tier": tier.rawValue, "paid": tier != .free,
            "expires": account.tierExpiresAt.map { WebController.dateFormatter.string(from: $0) } ?? "",
            "offers": PremiumService.offers.map { ["tier": $0.tier.rawValue, "price": $0.priceText, "summary": $0.summary] },
        ] as [String: Any], status: error.map(ErrorMiddleware.status(for:)) ?? .ok)
    }

    @Sendable func buyPremium(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await session.form(request, context) { form, member in
            do {
                guard let tier = Tier(rawValue: form.text("tier")) else {
                    throw RampartError.invalid(.invalidTier, "Choose premium or recruiter.")
                }
                let card = PaymentCard(
                    number: form.text("cardNumber"), expMonth: Int(form.text("expMonth")) ?? 0, expYear: Int(form.text("expYear")) ?? 0,
                    cvc: form.text("cvc"))
                let purchase = try await premium.buy(tier, card: card, requester: member.requester)
                var refreshed = member
                if let account = try await accounts.currentAccount(member.requester.account.id) { refreshed.requester.account = account }
                return premiumForm(
                    refreshed, error: nil,
                    notice: "Welcome to \(purchase.tier.rawValue). It runs until \(WebController.dateFormatter.string(from: purchase.expiresAt)).")
            } catch let error as RampartError {
                return premiumForm(member, error: error, notice: nil)
            }
        }
    }

    // MARK: Formatting

    /// A value for a template: Mustache treats an empty string as present, so absent and
    /// empty values become null and their sections are skipped.
    static func present(_ value: String?) -> Any {
        guard let value, !value.isEmpty else { return NSNull() }
        return value
    }

    private func present(_ value: String?) -> Any { Self.present(value) }

    static func card(_ entry: (token: String, card: VisibleProfile)) -> [String: Any] {
        [
            "id": entry.token, "name": entry.card.name, "headline": present(entry.card.headline),
            "company": present(entry.card.company), "location": present(entry.card.location),
        ]
    }

    static func invitation(_ summary: NetworkService.InvitationSummary) -> [String: Any] {
        [
            "id": summary.token, "member": card((summary.otherToken, summary.other)), "message": summary.invitation.message,
            "sent": WebController.dateFormatter.string(from: summary.invitation.createdAt),
        ]
    }

    static func period(_ entry: Experience) -> String {
        "\(entry.start) – \(entry.end?.description ?? "now")"
    }

    static func experienceLine(_ entry: Experience) -> String {
        [entry.title, entry.company, entry.start.description, entry.end?.description ?? "", entry.description].joined(separator: " | ")
    }

    static func educationLine(_ entry: Education) -> String {
        [entry.school, entry.degree, entry.field, String(entry.startYear), String(entry.endYear)].joined(separator: " | ")
    }

    /// Lines of `a | b | c` fields; missing trailing fields are empty.
    static func parseLines<T>(_ text: String, fields: Int, label: String, _ make: ([String]) throws -> T) throws -> [T] {
        try text.split(whereSeparator: \.isNewline).compactMap { line -> T? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return nil }
            var parts = trimmed.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count <= fields else {
                throw RampartError.invalid(.invalidProfile, "Each \(label) line has at most \(fields) parts separated by |.")
            }
            parts += Array(repeating: "", count: fields - parts.count)
            return try make(parts)
        }
    }

    static func categoryLabel(_ category: DataCategory) -> String {
        switch category {
        case .identity: "Name and photo"
        case .position: "Headline, company, location"
        case .experience: "Work history"
        case .education: "Education"
        case .skills: "Skills"
        case .contact: "Email and phone"
        case .connections: "Connections list"
        }
    }

    static func audienceLabel(_ audience: Audience) -> String {
        switch audience {
        case .members: "All members"
        case .connections: "My connections"
        case .onlyMe: "Only me"
        }
    }
}
