import Foundation
import HTTPTypes
import Hummingbird
import RampartApp
import RampartCore
import RampartForensics
import RampartGuard
import RampartLedger

/// The trust & safety console at `/console`: server-rendered, no JavaScript, charts as
/// inline SVG. Operators (not members) sign in with a password and a TOTP code
/// (``ConsoleService``); its own cookie, valid only under `/console`, so a member's session
/// opens nothing here. Analysts read and make case files; admins also suspend, reinstate and
/// resolve appeals. Actions are the command line's (``OperatorActions``), recorded under
/// `console:NAME` and put into the ledger at once.
struct ConsoleController {
    let services: RampartServices
    let pages: PageRenderer
    let session: WebSession
    let secureCookies: Bool

    static let cookie = "rampart_console"

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("console/login", use: loginPage)
        router.post("console/login", use: login)
        router.post("console/logout", use: logout)
        router.get("console", use: feed)
        router.get("console/flagged", use: flagged)
        router.get("console/appeals", use: appeals)
        router.post("console/appeals/:appeal", use: resolveAppeal)
        router.get("console/accounts/:account", use: account)
        router.post("console/accounts/:account/suspend", use: suspend)
        router.post("console/accounts/:account/unsuspend", use: unsuspend)
        router.post("console/accounts/:account/separate", use: separate)
        router.post("console/accounts/:account/merge", use: merge)
        router.get("console/accounts/:account/case", use: caseFile)
    }

    /// What every console page's header shows.
    struct Layout {
        let title: String
        var operatorName: String?
        var role: String?
        var csrf: String
        var isAdmin: Bool
        var error: String?
        var notice: String?

        init(_ title: String, _ signedIn: ConsoleService.Session?, csrf: String? = nil, error: String? = nil, notice: String? = nil) {
            self.title = title
            operatorName = signedIn?.operatorName
            role = signedIn?.role.rawValue
            self.csrf = csrf ?? signedIn?.formToken ?? ""
            isAdmin = signedIn?.role == .admin
            self.error = error
            self.notice = notice
        }
    }

    private var actions: OperatorActions { OperatorActions(store: services.dependencies.store, clock: services.dependencies.clock, operatorName: "console") }

    private static func time(_ date: Date) -> String {
        let text = date.formatted(Date.ISO8601FormatStyle())
        return String(text.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    // MARK: Signing in

    private func signedIn(_ request: Request) -> ConsoleService.Session? {
        services.console.session(token: request.cookies[Self.cookie]?.value)
    }

    /// The signed-in operator, or a redirect to the sign-in page.
    private func operatorOrRedirect(_ request: Request, _ body: (ConsoleService.Session) async throws -> Response) async throws -> Response {
        guard let signedIn = signedIn(request) else { return WebSession.redirect("/console/login") }
        return try await body(signedIn)
    }

    /// A console form: the operator signed in, and the form carrying their session's token.
    private func operatorForm(
        _ request: Request, admin: Bool, _ body: (FormFields, ConsoleService.Session) async throws -> Response
    ) async throws -> Response {
        guard let signedIn = signedIn(request) else { return WebSession.redirect("/console/login") }
        let form = try await session.body.form(from: request)
        guard let token = form["csrf"], SecretTokens.constantTimeEquals(token, signedIn.formToken) else {
            throw RampartError(.forbidden, code: .csrfFailed, message: "This form has expired or did not come from the console. Reload the page and try again.")
        }
        if admin, signedIn.role != .admin {
            throw RampartError(.forbidden, code: .adminRequired, message: "Only an admin operator may do this; analysts read and make case files.")
        }
        return try await body(form, signedIn)
    }

    @Sendable func loginPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if signedIn(request) != nil { return WebSession.redirect("/console") }
        let csrf = session.cookies.csrf(request)
        return csrf.apply(pages.page("console-login", ["layout": Layout("Console sign-in", nil, csrf: csrf.token)] as [String: Any]))
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (form, csrf) = try await session.checkedForm(request)
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        do {
            let (token, _) = try await services.console.signIn(
                name: name, password: form["password"] ?? "", code: (form["code"] ?? "").trimmingCharacters(in: .whitespaces),
                client: context.client(request))
            var response = WebSession.redirect("/console")
            response.setCookie(Cookie(
                name: Self.cookie, value: token, maxAge: Int(8 * 3_600), path: "/console", secure: secureCookies, httpOnly: true, sameSite: .strict))
            return response
        } catch let error as RampartError where error.kind == .unauthorized || error.kind == .tooManyRequests {
            let model: [String: Any] = ["layout": Layout("Console sign-in", nil, csrf: csrf, error: error.message), "name": name]
            return pages.page("console-login", model, status: error.kind == .unauthorized ? .unauthorized : .tooManyRequests)
        }
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await operatorForm(request, admin: false) { _, _ in
            services.console.signOut(token: request.cookies[Self.cookie]?.value)
            var response = WebSession.redirect("/console/login")
            response.setCookie(Cookie(name: Self.cookie, value: "", maxAge: 0, path: "/console", secure: secureCookies, httpOnly: true, sameSite: .strict))
            return response
        }
    }

    // MARK: Pages

    @Sendable func feed(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await operatorOrRedirect(request) { signedIn in
            let records = try await services.dependencies.store.enforcementRecords(account: nil, limit: 100)
            let rows: [[String: String]] = records.map { record in
                [
                    "at": Self.time(record.at), "account": String(record.account.rawValue), "action": record.action.rawValue,
                    "risk": record.risk.map { String(Int($0.rounded())) } ?? "–", "actor": record.actor, "reason": record.reason,
                ]
            }
            return pages.page("console-feed", ["layout": Layout("Decisions", signedIn), "records": rows, "count": rows.count] as [String: Any])
        }
    }

    @Sendable func flagged(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await operatorOrRedirect(request) { signedIn in
            let since = services.dependencies.clock.now().addingTimeInterval(-30 * 86_400)
            let rows: [[String: String]] = try await actions.flagged(since: since, limit: 200).map { item in
                [
                    "account": String(item.accountID.rawValue), "name": item.account?.name ?? "?", "latest": item.latest.action.rawValue,
                    "at": Self.time(item.latest.at), "risk": String(Int(item.highestRisk.rounded())), "actions": String(item.actions),
                    "standing": item.suspension != nil ? (item.openAppeal != nil ? "suspended, appeal open" : "suspended") : "active",
                ]
            }
            return pages.page("console-flagged", ["layout": Layout("Flagged accounts", signedIn), "flagged": rows, "count": rows.count] as [String: Any])
        }
    }

    @Sendable func appeals(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await operatorOrRedirect(request) { signedIn in
            let rows: [[String: String]] = try await actions.appeals(includeResolved: false).map { appeal in
                ["id": String(appeal.id.rawValue), "account": String(appeal.account.rawValue), "at": Self.time(appeal.createdAt), "text": appeal.text]
            }
            let notice = request.uri.queryParameters["done"].map { _ in "Appeal resolved; the decision is in the ledger." }
            return pages.page("console-appeals", ["layout": Layout("Appeals", signedIn, notice: notice), "appeals": rows, "count": rows.count] as [String: Any])
        }
    }

    @Sendable func resolveAppeal(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await operatorForm(request, admin: true) { form, signedIn in
            guard let raw = context.parameters.get("appeal").flatMap(Int64.init) else { throw RampartError.notFound(.notFound, "No such appeal.") }
            let note = (form["note"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !note.isEmpty, let decision = form["decision"], decision == "accept" || decision == "reject" else {
                throw RampartError.invalid(.invalidForm, "Write a note and choose accept or reject.")
            }
            _ = try await operatorActions(signedIn).resolve(AppealID(rawValue: raw), accept: decision == "accept", note: note)
            try await services.enforcement.tick()
            return WebSession.redirect("/console/appeals?done=1")
        }
    }

    @Sendable func account(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await operatorOrRedirect(request) { signedIn in
            let id = try accountID(context)
            let store = services.dependencies.store
            guard let found = try await store.account(id: id) else { throw RampartError.notFound(.accountNotFound, "No account \(id.rawValue).") }
            let history = try await actions.history(of: id)
            let cluster = try await ClusterReport.make(for: id, graph: services.dependencies.identity, store: store)
            let daily = try await CaseFile.daily(store: store, accounts: [id], from: nil)
            let clusterDaily = cluster.members.count > 1 ? try await CaseFile.daily(store: store, accounts: cluster.members.map(\.id), from: nil) : []
            let links: [[String: String]] = cluster.links.map { link in
                let other = link.first == String(id.rawValue) ? link.second : link.first
                return [
                    "first": link.first, "second": link.second, "kind": link.kind, "strength": link.strength, "detail": link.detail,
                    "at": Self.time(link.at), "other": link.first == String(id.rawValue) || link.second == String(id.rawValue) ? other : "",
                ]
            }
            let members = cluster.members.filter { $0.id != id }.map { "\($0.id.rawValue) (\($0.name)\($0.suspended ? ", suspended" : ""))" }
            let model: [String: Any] = [
                "layout": Layout("Account \(id.rawValue)", signedIn, notice: request.uri.queryParameters["done"].map { "Done: \($0). The action is in the ledger." }),
                "id": String(id.rawValue), "name": found.name, "phone": found.phone.e164, "tier": found.tier.rawValue,
                "registered": Self.time(found.createdAt), "suspended": history.suspension != nil,
                "standing": history.suspension.map { "suspended since \(Self.time($0.since)) by \($0.actor): \($0.reason)" } ?? "active",
                "hasDaily": !daily.isEmpty, "chart": CaseFile.dailyChart(daily), "links": links,
                "hasClusterDaily": !clusterDaily.isEmpty, "clusterChart": CaseFile.dailyChart(clusterDaily),
                "cluster": members.isEmpty ? [] : ["One person with: " + members.joined(separator: ", ")],
                "timeline": try await timeline(found, history: history),
            ]
            return pages.page("console-account", model)
        }
    }

    @Sendable func suspend(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await operatorForm(request, admin: true) { form, signedIn in
            let id = try accountID(context)
            let reason = try Self.reason(form)
            try await operatorActions(signedIn).suspend(id, reason: reason)
            try await services.enforcement.tick()
            return WebSession.redirect("/console/accounts/\(id.rawValue)?done=suspended")
        }
    }

    @Sendable func unsuspend(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await operatorForm(request, admin: true) { form, signedIn in
            let id = try accountID(context)
            _ = try await operatorActions(signedIn).unsuspend(id, reason: try Self.reason(form))
            try await services.enforcement.tick()
            return WebSession.redirect("/console/accounts/\(id.rawValue)?done=reinstated")
        }
    }

    @Sendable func separate(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await operatorForm(request, admin: true) { form, signedIn in
            let id = try accountID(context)
            guard let other = form["other"].flatMap(Int64.init) else { throw RampartError.invalid(.invalidForm, "Name the other account.") }
            try await operatorActions(signedIn).separate(id, AccountID(rawValue: other), reason: try Self.reason(form))
            try await services.enforcement.tick()
            return WebSession.redirect("/console/accounts/\(id.rawValue)?done=separated")
        }
    }

    @Sendable func merge(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await operatorForm(request, admin: true) { form, signedIn in
            let id = try accountID(context)
            guard let other = form["other"].map({ $0.trimmingCharacters(in: .whitespaces) }).flatMap(Int64.init) else {
                throw RampartError.invalid(.invalidForm, "Give the other account's number.")
            }
            try await operatorActions(signedIn).merge(id, AccountID(rawValue: other), reason: try Self.reason(form))
            try await services.enforcement.tick()
            return WebSession.redirect("/console/accounts/\(id.rawValue)?done=merged")
        }
    }

    /// The case file of the account (or its cluster) as one HTML page to save or print; the
    /// same as `rampart case`, whose output also holds the verifiable ledger bundle.
    @Sendable func caseFile(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await operatorOrRedirect(request) { signedIn in
            let id = try accountID(context)
            let dependencies = services.dependencies
            guard try await dependencies.store.account(id: id) != nil else { throw RampartError.notFound(.accountNotFound, "No account \(id.rawValue).") }
            let wholeCluster = request.uri.queryParameters["cluster"] != nil
            var accounts = [id]
            var links: [ClusterReport.Link] = []
            if wholeCluster {
                let report = try await ClusterReport.make(for: id, graph: dependencies.identity, store: dependencies.store)
                accounts = report.members.map(\.id)
                links = report.links
            }
            _ = try await dependencies.treeHeads.publish()
            let directory = NSTemporaryDirectory() + "rampart-case-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let written = try await CaseFile.write(
                store: dependencies.store, accounts: accounts,
                subject: wholeCluster ? "the cluster of account \(id.rawValue)" : "account \(id.rawValue)", clusterLinks: links, from: nil, to: nil,
                publicKey: dependencies.treeHeads.publicKey, directory: directory, now: dependencies.clock.now())
            try await services.console.record("case file made (\(written.bundle.entries) entries)", account: id, by: signedIn)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8", .contentDisposition: "attachment; filename=\"case-\(id.rawValue)\(wholeCluster ? "-cluster" : "").html\"",
                    .cacheControl: "no-store", .xContentTypeOptions: "nosniff",
                ],
                body: .init(byteBuffer: ByteBuffer(string: written.caseFile.html())))
        }
    }

    // MARK: Helpers

    private func operatorActions(_ signedIn: ConsoleService.Session) -> OperatorActions {
        OperatorActions(store: services.dependencies.store, clock: services.dependencies.clock, operatorName: signedIn.actor)
    }

    private func accountID(_ context: AppRequestContext) throws -> AccountID {
        guard let raw = context.parameters.get("account").flatMap(Int64.init) else { throw RampartError.notFound(.accountNotFound, "No such account.") }
        return AccountID(rawValue: raw)
    }

    private static func reason(_ form: FormFields) throws -> String {
        let reason = (form["reason"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty else { throw RampartError.invalid(.invalidForm, "Give a reason: it is kept with the decision and in the ledger.") }
        return String(reason.prefix(500))
    }

    /// The account's life, newest first: registration, sign-ins, accesses per day, misuse,
    /// purchases, decisions, suspensions and appeals.
    private func timeline(
        _ account: Account, history: (suspension: Suspension?, records: [EnforcementRecord], appeals: [Appeal])
    ) async throws -> [[String: String]] {
        var events: [(Date, String)] = [(account.createdAt, "Registered")]
        var accessesByDay: [String: (Date, Int)] = [:]
        for row in try await services.dependencies.store.ledgerEntries(account: account.id, from: nil, to: nil) {
            guard let entry = try? LedgerEntry.decode(row.entry) else { continue }
            let field = { (name: String) in entry[field: name] }
            switch entry.kind {
            case .access:
                let day = String(Self.time(row.recordedAt).prefix(10))
                let counted = accessesByDay[day] ?? (row.recordedAt, 0)
                accessesByDay[day] = (max(counted.0, row.recordedAt), counted.1 + 1)
            case .login:
                events.append((row.recordedAt, "Signed in from \(field("ip") ?? "?")\(field("newDevice").map { " (new device, \($0))" } ?? "")\(field("refused").map { " — refused: \($0)" } ?? "")"))
            case .misuse:
                events.append((row.recordedAt, "Refused request: \(field("signal") ?? "misuse") (\(field("detail") ?? ""))"))
            case .purchase:
                events.append((row.recordedAt, "Bought \(field("tier") ?? "premium") (\(field("amountCents") ?? "?") cents \(field("currency") ?? ""))"))
            default:
                continue
            }
        }
        for (day, counted) in accessesByDay { events.append((counted.0, "\(counted.1) profile views, search pages and connection lists on \(day)")) }
        for record in history.records {
            events.append((record.at, "\(record.action.rawValue) by \(record.actor)\(record.risk.map { " (risk \(Int($0.rounded())))" } ?? ""): \(record.reason)"))
        }
        for appeal in history.appeals {
            events.append((appeal.createdAt, "Appeal filed (\(appeal.status.rawValue)): \(appeal.text)"))
        }
        return events.sorted { $0.0 > $1.0 }.prefix(300).map { ["at": Self.time($0.0), "what": $0.1] }
    }
}
