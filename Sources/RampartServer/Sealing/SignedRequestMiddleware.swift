import RampartApp
import Hummingbird
import HTTPTypes
import RampartClient
import RampartCore
import RampartGuard

/// Checks the signature on every API request made with a session (the scheme
/// ``RequestSigner`` documents). A missing, malformed, stale, wrong or replayed signature
/// is recorded as a misuse signal; with the policy's `signatures.api` at `require` (the
/// default) the request is refused with `401` and a code that says which.
struct SignedRequestMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let signing: RequestSigning
    let body: RequestBodyReader

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let viewer = try context.requireViewer()
        var request = request
        let bytes = try await body.collect(&request)
        let outcome = signing.verifier.verify(
            .init(
                timestamp: Self.header(request, RequestSigner.timestampHeader), nonce: Self.header(request, RequestSigner.nonceHeader),
                signature: Self.header(request, RequestSigner.signatureHeader)),
            signer: signing.keys.signer(for: viewer.session.id), scope: viewer.session.id.rawValue, method: request.method.rawValue,
            target: request.head.path ?? "/",
            bodySHA256: bytes.readableBytes == 0 ? RequestSigner.emptyBodyHash : RequestSigner.bodyHash(bytes.readableBytesView),
            now: signing.clock.now())
        if let refusal = RequestSigning.refusal(for: outcome) {
            await signing.signals.record(
                refusal.signal, by: viewer, client: context.client(request), detail: "\(request.method.rawValue) \(request.uri.path)")
            if signing.enforcement == .require { throw refusal.error }
        }
        return try await next(request, context)
    }

    private static func header(_ request: Request, _ name: String) -> String? {
        HTTPField.Name(name).flatMap { request.headers[$0] }
    }
}

/// Everything the signature check needs, built once per server.
public struct RequestSigning: Sendable {
    public let keys: SessionSigningKeys
    public let verifier: RequestSignatureVerifier
    public let signals: MisuseRecorder
    public let enforcement: AccessPolicy.Signatures.Enforcement
    public let clock: any WallClock

    public init(
        keys: SessionSigningKeys, verifier: RequestSignatureVerifier, signals: MisuseRecorder, enforcement: AccessPolicy.Signatures.Enforcement,
        clock: any WallClock
    ) {
        self.keys = keys
        self.verifier = verifier
        self.signals = signals
        self.enforcement = enforcement
        self.clock = clock
    }

    /// The signal and the error for a failed check; nil when the signature is valid.
    static func refusal(for outcome: RequestSignatureVerifier.Outcome) -> (signal: MisuseSignal.Kind, error: RampartError)? {
        func refuse(_ code: RampartError.Code, _ message: String) -> RampartError { RampartError(.unauthorized, code: code, message: message) }
        switch outcome {
        case .valid:
            return nil
        case .missing:
            return (.signatureMissing, refuse(.signatureRequired, "Sign every request made with a session: see the README, \"Signed requests\"."))
        case .malformed:
            return (.signatureMalformed, refuse(
                .signatureMalformed, "Rampart-Timestamp must be Unix seconds, Rampart-Nonce 16-64 URL-safe characters, Rampart-Signature 64 hex digits."))
        case .stale:
            return (.signatureStale, refuse(.signatureStale, "Rampart-Timestamp is too far from the server's clock: sign with the current time."))
        case .invalid:
            return (.signatureInvalid, refuse(.signatureInvalid, "The signature does not match this request and session."))
        case .replayed:
            return (.signatureReplayed, refuse(.signatureReplayed, "This nonce was already used: sign each request with a new one."))
        }
    }
}
