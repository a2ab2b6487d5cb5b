import Hummingbird
import InterestMiner


/// Builds the HTTP service on a miner: the router with its middleware and routes, bound to the
/// configured address. `interests serve` runs it; the tests drive it with `app.test(.router)`.
public func buildApplication(miner: InterestMiner, configuration: ServerConfiguration) -> some ApplicationProtocol {
    let service = InterestService(miner: miner, configuration: configuration)
    // HEAD answers every GET route, as RFC 9110 asks (the headers of the GET, no body).
    let router = Router(options: .autoGenerateHeadEndpoints)
    router.add(middleware: ServiceMiddleware(access: AccessPolicy(configuration), metrics: service.metrics,
                                             routes: Routes.enabled(configuration), console: configuration.console))
    Routes.register(on: router, service: service)
    // The web console (HTML pages over the same reads), unless turned off (`serve --no-console`).
    if configuration.console { ConsoleRoutes.register(on: router, service: service) }
    // Hummingbird's logger (level from LOG_LEVEL, default info) logs start-up and failures only:
    // no request is logged with its body.
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "interests"))
}
