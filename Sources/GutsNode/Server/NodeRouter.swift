import Hummingbird

/// All of the node's routes.
enum NodeRouter {
    static func make(node: GutsNode) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestObservationMiddleware(metrics: node.metrics))
        let configuration = node.configuration
        if configuration.requestTimeoutSeconds > 0 || configuration.bodyIdleTimeoutSeconds > 0 {
            router.add(middleware: RequestTimeoutMiddleware(
                seconds: configuration.requestTimeoutSeconds, bodyIdleSeconds: configuration.bodyIdleTimeoutSeconds, metrics: node.metrics))
        }
        OperationsController(node: node).register(on: router)
        APIController(node: node).register(on: router)
        WebhookController(node: node).register(on: router)
        AdminController(node: node).register(on: router)
        ProfileController(node: node).register(on: router)
        if let cluster = node.cluster { ClusterController(node: node, cluster: cluster).register(on: router) }
        let archives = ArchiveController(node: node)
        archives.register(on: router)
        let git = SmartHTTPController(node: node)
        let content = ContentController(node: node)
        let lfs = LFSController(node: node)
        router.get("**") { request, context in
            let route = try gitRoute(request, context)
            switch route.action {
            case .infoRefs: return try await git.infoRefs(request, repositoryName: route.repository)
            case .raw(let components): return try await content.raw(request, repositoryName: route.repository, components: components)
            case .archive(let spec): return try await archives.archive(request, repositoryName: route.repository, spec: spec)
            case .lfs(let path): return try await lfs.handle(request, repositoryName: route.repository, path: path)
            case .uploadPack, .receivePack: throw NodeError(.methodNotAllowed, "use POST for \(request.uri.path)")
            }
        }
        router.post("**") { request, context in
            let route = try gitRoute(request, context)
            switch route.action {
            case .uploadPack: return try await git.uploadPack(request, repositoryName: route.repository)
            case .receivePack: return try await git.receivePack(request, repositoryName: route.repository)
            case .lfs(let path): return try await lfs.handle(request, repositoryName: route.repository, path: path)
            default: throw NodeError(.methodNotAllowed, "method not allowed for \(request.uri.path)")
            }
        }
        router.put("**") { request, context in
            let route = try gitRoute(request, context)
            guard case .lfs(let path) = route.action else {
                throw NodeError(.methodNotAllowed, "method not allowed for \(request.uri.path)")
            }
            return try await lfs.handle(request, repositoryName: route.repository, path: path)
        }
        return router
    }

    /// The git layout route of a request the router matched only by `**`; it names the
    /// request's route template for metrics, as the router does for its own routes.
    private static func gitRoute(_ request: Request, _ context: BasicRequestContext) throws -> GitRoute {
        guard let route = GitRoute.parse(request.uri.path) else { throw NodeError(.notFound, "no such route") }
        context.coreContext.endpointPath.value = route.template
        return route
    }
}
