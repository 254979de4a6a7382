import Foundation
import RampartApp
import Hummingbird
import HTTPTypes
import RampartCore
import RampartGuard

/// The network part of the JSON API: own profile, other profiles, search, connections,
/// invitations, premium. Signed-in members who accepted the current agreement only.
struct NetworkAPIController {
    let accounts: AccountService
    let network: NetworkService
    let premium: PremiumService
    let signing: RequestSigning
    let body: RequestBodyReader
    /// What members show, encoded once (profile, search and connection-list responses).
    let encoded = EncodedBodies()

    func addRoutes(to router: Router<AppRequestContext>) {
        let api = router.group("api/v1")
            .add(middleware: BearerAuthenticationMiddleware(accounts: accounts))
            .add(middleware: SignedRequestMiddleware(signing: signing, body: body))
            .add(middleware: AgreementGateMiddleware(accounts: accounts))
        api.get("me/profile", use: getMyProfile)
        api.put("me/profile", use: updateMe)
        api.get("profiles/:profileId", use: getProfile)
        api.get("search", use: searchMembers)
        api.get("connections", use: listConnections)
        api.delete("connections/:profileId", use: removeConnection)
        api.get("invitations", use: listInvitations)
        api.post("invitations", use: sendInvitation)
        api.post("invitations/:invitationId/accept", use: acceptInvitation)
        api.post("invitations/:invitationId/decline", use: declineInvitation)
        api.post("invitations/:invitationId/withdraw", use: withdrawInvitation)
        api.get("premium", use: listPremiumOffers)
        api.post("premium", use: buyPremium)
    }

    /// Adds the exposure budget headers: `Rampart-Budget: hour=…/…; day=…/…; month=…/…` always, and
    /// `Rampart-Budget-Warning` from 80% (the policy's `warnAt`) of a budget.
    private func budgeted(_ response: Response, _ standing: ExposureLedger.Standing?) -> Response {
        guard let standing else { return response }
        var response = response
        if let name = HTTPField.Name("Rampart-Budget") { response.headers[name] = ExposureService.header(standing) }
        if let warning = network.exposure.warning(standing), let name = HTTPField.Name("Rampart-Budget-Warning") {
            response.headers[name] = warning
        }
        return response
    }

    private func requester(_ request: Request, _ context: AppRequestContext) throws -> Requester {
        try context.requireViewer()
    }

    @Sendable func getMyProfile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let profile = try await network.ownProfile(viewer)
        return try JSONResponse.make(OwnProfileResponse(profile, id: network.token(for: viewer.account.id, viewer: viewer.account.id)))
    }

    @Sendable func updateMe(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let draft = try await body.json(ProfileDraft.self, from: request)
        let profile = try await network.updateOwnProfile(draft, requester: viewer)
        return try JSONResponse.make(OwnProfileResponse(profile, id: network.token(for: viewer.account.id, viewer: viewer.account.id)))
    }

    @Sendable func getProfile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let requester = try requester(request, context)
        let shown = try await network.viewProfile(token: try context.parameters.require("profileId"), requester: requester)
        return budgeted(
            JSONResponse.make(encoded: try encoded.profile(shown, viewer: requester.id) {
                network.token(for: $0.id, viewer: requester.id)
            }), shown.budget)
    }

    @Sendable func searchMembers(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        func value(_ name: String) -> String? { query[name[...]].map(String.init) }
        let page = try await network.search(
            .init(
                text: value("q") ?? "", company: value("company"), title: value("title"), school: value("school"),
                location: value("location"), cursor: value("cursor")),
            requester: try requester(request, context))
        return budgeted(JSONResponse.make(encoded: try encoded.searchPage(page)), page.budget)
    }

    @Sendable func listConnections(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let page = try await network.connectionList(
            of: query["profileId"].map(String.init), cursor: query["cursor"].map(String.init), requester: try requester(request, context))
        return budgeted(JSONResponse.make(encoded: try encoded.connectionPage(page)), page.budget)
    }

    @Sendable func removeConnection(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await network.removeConnection(try context.parameters.require("profileId"), requester: try requester(request, context))
        return Response(status: .noContent)
    }

    @Sendable func listInvitations(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (received, sent) = try await network.invitations(requester: try requester(request, context))
        return try JSONResponse.make(InvitationListResponse(received: received.map(InvitationBody.init), sent: sent.map(InvitationBody.init)))
    }

    @Sendable func sendInvitation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try await body.json(SendInvitationRequest.self, from: request)
        let summary = try await network.sendInvitation(
            to: input.profileId, message: input.message ?? "", requester: try requester(request, context))
        return try JSONResponse.make(InvitationBody(summary), status: .created)
    }

    @Sendable func acceptInvitation(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await respond(request, context, .accept)
    }

    @Sendable func declineInvitation(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await respond(request, context, .decline)
    }

    @Sendable func withdrawInvitation(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await respond(request, context, .withdraw)
    }

    private func respond(_ request: Request, _ context: AppRequestContext, _ response: NetworkService.Response) async throws -> Response {
        try await network.respond(to: try context.parameters.require("invitationId"), response, requester: try requester(request, context))
        return Response(status: .noContent)
    }

    @Sendable func listPremiumOffers(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let now = accounts.now()
        let tier = viewer.account.effectiveTier(at: now)
        return try JSONResponse.make(PremiumOffersResponse(
            currentTier: tier.rawValue, expiresAt: tier == .free ? nil : viewer.account.tierExpiresAt,
            offers: PremiumService.offers.map {
                .init(tier: $0.tier.rawValue, amountCents: $0.amountCents, currency: $0.currency, summary: $0.summary)
            }))
    }

    @Sendable func buyPremium(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let input = try await body.json(BuyPremiumRequest.self, from: request)
        guard let tier = Tier(rawValue: input.tier) else { throw RampartError.invalid(.invalidTier, "Choose premium or recruiter.") }
        let purchase = try await premium.buy(
            tier, card: PaymentCard(number: input.card.number, expMonth: input.card.expMonth, expYear: input.card.expYear, cvc: input.card.cvc),
            requester: viewer)
        return try JSONResponse.make(
            PurchaseResponse(tier: purchase.tier.rawValue, amountCents: purchase.amountCents, currency: purchase.currency, expiresAt: purchase.expiresAt),
            status: .created)
    }
}
