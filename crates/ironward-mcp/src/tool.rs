//! The tool side: [`ToolGuard`] wraps an rmcp [`ServerHandler`] so that every `tools/call` is
//! judged before the tool runs and its result before it is returned.
//!
//! Every other request and notification is forwarded to the wrapped handler unchanged
//! (`tools/list`, resources, prompts, tasks, initialisation…), so the guarded server
//! advertises and behaves exactly as the handler does.

use crate::Reporter;
use crate::text::{arguments_text, blocked_result, client_ip, result_text};
use ironward_core::mcp::{McpSide, ToolCall};
use ironward_core::{Engine, Verdict};
use rmcp::ErrorData as McpError;
use rmcp::ServerHandler;
use rmcp::model::*;
use rmcp::service::{
    MaybeSendFuture, NotificationContext, RequestContext, RoleServer, SubscriptionContext,
};
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

/// An rmcp server handler whose tool calls go through Ironward (pyrasp's `McpToolRASP`).
///
/// - Before the tool runs, the call's arguments go through
///   [`Engine::inspect_tool_call`] (`chars`, `command`, `code_injection`, `xss`, `sqli`,
///   `path_traversal`, `ssrf`, `prompt`, at their levels). A block answers with a tool error
///   (`CallToolResult` with `is_error: true` and the `BLOCK_ACTION_CONTENT` text): the tool
///   does not run.
/// - After it ran, the text of its result (text blocks, embedded text resources, structured
///   content) goes through [`Engine::inspect_tool_result`] (`dlp`). A block replaces the
///   result by the same tool error: the leak never leaves the server.
/// - Level 3 findings are reported and the call goes on.
///
/// Blocks are tool errors rather than JSON-RPC protocol errors: the call was well formed and
/// routable, and MCP clients show a tool error to the model (which learns not to retry the
/// same thing) while they render protocol errors as an opaque failure. Results of calls that
/// become tasks (`CreateTaskResult`) or ask for input (`InputRequiredResult`) carry no tool
/// output yet and pass unchanged; their arguments are judged all the same.
///
/// Over HTTP transports the client's IP comes from the request parts (see [`client_ip`]):
/// whitelist, blacklist and level-2 blacklisting then apply as to HTTP requests.
///
/// [`client_ip`]: crate::text::client_ip
pub struct ToolGuard<H> {
    inner: H,
    engine: Arc<Engine>,
    reporter: Option<Reporter>,
}

impl<H> ToolGuard<H> {
    /// Guards `inner` with `engine`.
    pub fn new(inner: H, engine: Arc<Engine>) -> Self {
        ToolGuard {
            inner,
            engine,
            reporter: None,
        }
    }

    /// Sends the events of every call with findings (blocked or monitored) to `reporter`
    /// (for instance `ironward_agent`'s `Agent::submit`).
    #[must_use]
    pub fn with_reporter(mut self, reporter: Reporter) -> Self {
        self.reporter = Some(reporter);
        self
    }

    /// The wrapped handler.
    pub fn inner(&self) -> &H {
        &self.inner
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    fn report(&self, call: &ToolCall<'_>, verdict: &Verdict) {
        if let Some(reporter) = &self.reporter
            && !verdict.findings.is_empty()
        {
            for event in self.engine.tool_call_events(call, McpSide::Tool, verdict) {
                reporter(event);
            }
        }
    }
}

impl<H: Clone> Clone for ToolGuard<H> {
    fn clone(&self) -> Self {
        ToolGuard {
            inner: self.inner.clone(),
            engine: Arc::clone(&self.engine),
            reporter: self.reporter.clone(),
        }
    }
}

impl<H: fmt::Debug> fmt::Debug for ToolGuard<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolGuard")
            .field("inner", &self.inner)
            .field("reporter", &self.reporter.is_some())
            .finish_non_exhaustive()
    }
}

// Every method is forwarded, the deprecated ones included: the guard changes tool calls only.
#[allow(deprecated)]
impl<H: ServerHandler> ServerHandler for ToolGuard<H> {
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let ip = client_ip(
            &self.engine,
            context.extensions.get::<http::request::Parts>(),
        );
        let args = arguments_text(request.arguments.as_ref());
        let tool = request.name.clone();
        {
            let call = ToolCall::new(&tool, &args).with_client_ip(ip);
            let verdict = self.engine.inspect_tool_call(&call, McpSide::Tool);
            self.report(&call, &verdict);
            if verdict.is_blocked() {
                return Ok(blocked_result(&verdict).into());
            }
        }
        let response = self.inner.call_tool(request, context).await?;
        if let CallToolResponse::Complete(result) = &response {
            let call = ToolCall::new(&tool, &args).with_client_ip(ip);
            let verdict =
                self.engine
                    .inspect_tool_result(&call, &result_text(result), McpSide::Tool);
            self.report(&call, &verdict);
            if verdict.is_blocked() {
                return Ok(blocked_result(&verdict).into());
            }
        }
        Ok(response)
    }

    fn ping(
        &self,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        self.inner.ping(context)
    }

    fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<InitializeResult, McpError>> + MaybeSendFuture + '_ {
        self.inner.initialize(request, context)
    }

    fn negotiate_initialize(
        &self,
        request: &InitializeRequestParams,
    ) -> Result<InitializeResult, McpError> {
        self.inner.negotiate_initialize(request)
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        self.inner.supported_protocol_versions()
    }

    fn discover(
        &self,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<DiscoverResult, McpError>> + MaybeSendFuture + '_ {
        self.inner.discover(context)
    }

    fn complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CompleteResult, McpError>> + MaybeSendFuture + '_ {
        self.inner.complete(request, context)
    }

    fn set_level(
        &self,
        request: SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        self.inner.set_level(request, context)
    }

    fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetPromptResponse, McpError>> + MaybeSendFuture + '_ {
        self.inner.get_prompt(request, context)
    }

    fn list_prompts(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListPromptsResult, McpError>> + MaybeSendFuture + '_ {
        self.inner.list_prompts(request, context)
    }

    fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListResourcesResult, McpError>> + MaybeSendFuture + '_ {
        self.inner.list_resources(request, context)
    }

    fn list_resource_templates(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListResourceTemplatesResult, McpError>> + MaybeSendFuture + '_
    {
        self.inner.list_resource_templates(request, context)
    }

    fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ReadResourceResponse, McpError>> + MaybeSendFuture + '_ {
        self.inner.read_resource(request, context)
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        self.inner.accepted_subscription_filter(requested)
    }

    fn listen(
        &self,
        context: SubscriptionContext,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        self.inner.listen(context)
    }

    fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        self.inner.subscribe(request, context)
    }

    fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        self.inner.unsubscribe(request, context)
    }

    fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListToolsResult, McpError>> + MaybeSendFuture + '_ {
        self.inner.list_tools(request, context)
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.inner.get_tool(name)
    }

    fn on_custom_request(
        &self,
        request: CustomRequest,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CustomResult, McpError>> + MaybeSendFuture + '_ {
        self.inner.on_custom_request(request, context)
    }

    fn on_cancelled(
        &self,
        notification: CancelledNotificationParam,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_cancelled(notification, context)
    }

    fn on_progress(
        &self,
        notification: ProgressNotificationParam,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_progress(notification, context)
    }

    fn on_initialized(
        &self,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_initialized(context)
    }

    fn on_roots_list_changed(
        &self,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_roots_list_changed(context)
    }

    fn on_custom_notification(
        &self,
        notification: CustomNotification,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_custom_notification(notification, context)
    }

    fn get_info(&self) -> ServerConfig {
        self.inner.get_info()
    }

    fn get_task(
        &self,
        request: GetTaskParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetTaskResult, McpError>> + MaybeSendFuture + '_ {
        self.inner.get_task(request, context)
    }

    fn update_task(
        &self,
        request: UpdateTaskParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        self.inner.update_task(request, context)
    }

    fn cancel_task(
        &self,
        request: CancelTaskParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        self.inner.cancel_task(request, context)
    }

    fn list_skills(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListSkillsResult, McpError>> + MaybeSendFuture + '_ {
        self.inner.list_skills(request, context)
    }

    fn get_skill(
        &self,
        request: GetSkillRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetSkillResult, McpError>> + MaybeSendFuture + '_ {
        self.inner.get_skill(request, context)
    }

    fn read_resource_directory(
        &self,
        request: ReadResourceDirectoryRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ReadResourceDirectoryResult, McpError>> + MaybeSendFuture + '_
    {
        self.inner.read_resource_directory(request, context)
    }
}
