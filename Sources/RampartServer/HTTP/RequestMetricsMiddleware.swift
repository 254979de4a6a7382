import RampartApp
import Hummingbird
import CoreMetrics
import Metrics

/// Counts requests by route, method and status, and times them, for `/metrics`. Sits
/// outside the error middleware so it sees the status that was really sent.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    /// Where the metrics go: the server's Prometheus registry (injected, not global).
    let factory: any MetricsFactory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        Counter(
            label: "rampart_http_requests_total",
            dimensions: [("route", route), ("method", method), ("status", String(response.status.code))],
            factory: factory
        ).increment()
        Timer(label: "rampart_http_request_duration_seconds", dimensions: [("route", route), ("method", method)], factory: factory)
            .recordInterval(since: start)
        return response
    }
}

extension Timer {
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
