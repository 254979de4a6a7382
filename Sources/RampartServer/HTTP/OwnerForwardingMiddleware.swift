import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import RampartApp
import RampartCore

/// With several instances on one database: a signed-in member's request that reached an
/// instance other than the one owning the account's Guard state (``InstanceDirectory``:
/// the first live instance its requests reached) is forwarded to the owner and its answer
/// returned, so the account's detection evidence, ladder and budget all stay in one place
/// however a client spreads its requests. The forwarded request carries the client's
/// address (`X-Forwarded-For`: the owner must trust the instances as proxies) and a seal
/// (``InstanceDirectory/header``) that makes the owner serve it itself. Visitors, and a
/// request whose owner cannot be reached (it left; it is dropped from the directory until it
/// beats again), are served here.
struct OwnerForwardingMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let directory: InstanceDirectory
    let accounts: AccountService
    let client: HTTPClient
    let maxBodySize: Int
    let logger: Logger

    static let sealHeader = HTTPField.Name(InstanceDirectory.header)!
    static let ownerHeader = HTTPField.Name(InstanceDirectory.ownerHeader)!

    /// The owner answered that the account is this instance's now.
    private struct HandedHere: Error {}

    /// The process's client for forwarding (never shut down, like `HTTPClient.shared`): a
    /// connection refused fails at once rather than being retried until the request's
    /// deadline (an owner that just died would hold every request for its accounts), up to
    /// 64 connections per owner.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(1), read: .seconds(30))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
    /// Not passed on either way: they describe one connection, not the request.
    static let hopByHop: Set<String> = ["connection", "keep-alive", "transfer-encoding", "te", "upgrade", "content-length", "host", "x-forwarded-for", "forwarded"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.description
        if let seal = request.headers[Self.sealHeader], directory.isForwarded(seal, method: request.method.rawValue, path: path) {
            // The balancer sends this account to the forwarding instance now (it joined, or
            // the hash moved): after enough in a row, the account goes there, its evidence
            // with it, and that instance serves this request itself.
            if let from = InstanceDirectory.sender(ofSeal: seal), let account = try await account(of: request, context),
                directory.noteForwarded(account, from: from), try await directory.handOver(account, to: from)
            {
                logger.notice("account handed to the instance the balancer sends it to", metadata: ["account": "\(account)", "to": "\(from)"])
                return Response(status: .misdirectedRequest, headers: [Self.ownerHeader: from])
            }
            return try await next(request, context)
        }
        guard let account = try await account(of: request, context), let owner = try await directory.forwardingAddress(for: account) else {
            return try await next(request, context)
        }
        var request = request
        let body = try await request.body.collect(upTo: maxBodySize)
        request.body = RequestBody(buffer: body)
        do {
            return try await forward(request, body: body, path: path, context: context, to: owner.address)
        } catch is HandedHere {
            // Ours now: take it up (with the evidence the owner saved) and serve it here.
            directory.forget(account)
            _ = try await directory.forwardingAddress(for: account)
            return try await next(request, context)
        } catch {
            directory.unreachable(owner.name)
            logger.warning("could not forward to the owning instance; serving here", metadata: ["owner": "\(owner.name)", "error": "\(error)"])
            // Asked again without it: this instance takes the account over (with the evidence
            // its owner saved) before serving it, unless yet another instance owns it now.
            _ = try? await directory.forwardingAddress(for: account)
            return try await next(request, context)
        }
    }

    /// The account behind the request's credential: the API's bearer token, else the web
    /// session cookie; nil for visitors and for credentials that do not open.
    private func account(of request: Request, _ context: Context) async throws -> AccountID? {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            let token = header.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
            return try await accounts.authenticate(sessionToken: token, client: context.client(request), channel: .api)?.account.id
        }
        guard let cookies = request.headers[.cookie] else { return nil }
        for pair in cookies.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == WebCookies.session {
                return try await accounts.authenticate(sessionToken: parts[1], client: context.client(request), channel: .web)?.account.id
            }
        }
        return nil
    }

    private func forward(_ request: Request, body: ByteBuffer, path: String, context: Context, to address: String) async throws -> Response {
        var outgoing = HTTPClientRequest(url: address + path)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) && field.name != Self.sealHeader {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        if let ip = context.client(request).ip { outgoing.headers.add(name: "X-Forwarded-For", value: ip) }
        outgoing.headers.add(name: InstanceDirectory.header, value: directory.seal(method: request.method.rawValue, path: path))
        if body.readableBytes > 0 { outgoing.body = .bytes(body) }
        let answer = try await client.execute(outgoing, timeout: .seconds(30))
        if answer.status.code == 421, answer.headers.first(name: InstanceDirectory.ownerHeader) == directory.name {
            _ = try await answer.body.collect(upTo: 1 << 16)
            throw HandedHere()
        }
        var headers = HTTPFields()
        for (name, value) in answer.headers where !Self.hopByHop.contains(name.lowercased()) {
            if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
        }
        let content = try await answer.body.collect(upTo: 64 << 20)
        return Response(status: .init(code: Int(answer.status.code)), headers: headers, body: .init(byteBuffer: content))
    }
}
