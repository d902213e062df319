using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Audit;

namespace VrsMsrc.Hub.Security;

/// <summary>
/// "Authorization: Bearer TOKEN" on the analyst listener, for API tokens and login sessions alike, so
/// that the gRPC Trends API, its JSON form and a dashboard share one kind of credential. Every refusal
/// is audited where it is decided: in the challenge (no or bad token) and the forbid (wrong role).
/// </summary>
internal sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccountService accounts,
    IAuditLog audit) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    private const string RefusalItem = "vrs.auth-refusal";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!header.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase) || header.Length > 512)
        {
            return Fail("the Authorization header is not 'Bearer TOKEN'");
        }

        var (identity, refusal) = accounts.Authenticate(header[(SchemeName.Length + 1)..].Trim());
        return identity is null
            ? Fail(refusal!)
            : Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(AnalystClaims.Principal(identity), SchemeName)));
    }

    private Task<AuthenticateResult> Fail(string reason)
    {
        Context.Items[RefusalItem] = reason;
        return Task.FromResult(AuthenticateResult.Fail(reason));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var reason = Context.Items[RefusalItem] as string ?? "no bearer token";
        audit.Append(AuditActor.Anonymous, "access", AuditOutcome.Refused, Detail(reason));
        return base.HandleChallengeAsync(properties);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var actor = Context.User.Identity?.Name is { } name ? AuditActor.User(name) : AuditActor.Anonymous;
        audit.Append(actor, "access", AuditOutcome.Refused, Detail("role not allowed here"));
        return base.HandleForbiddenAsync(properties);
    }

    private string Detail(string reason) => AuditChain.Detail(
        ("reason", reason), ("path", Request.Path.Value), ("remote", Context.Connection.RemoteIpAddress?.ToString()),
        ("client_certificate", Context.Connection.ClientCertificate?.Subject));
}

/// <summary>How an <see cref="AnalystIdentity"/> travels as claims through ASP.NET Core.</summary>
internal static class AnalystClaims
{
    private const string StateClaim = "vrs:state";
    private const string TokenClaim = "vrs:token";

    public static ClaimsPrincipal Principal(AnalystIdentity identity)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, identity.Account),
            new(ClaimTypes.Role, Roles.Name(identity.Role)),
            new(TokenClaim, identity.TokenId),
        };
        if (identity.State is not null)
        {
            claims.Add(new Claim(StateClaim, identity.State));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, BearerAuthenticationHandler.SchemeName));
    }

    /// <summary>The identity of an authenticated caller; throws if the endpoint was not protected.</summary>
    public static AnalystIdentity Identity(ClaimsPrincipal principal) =>
        principal.Identity is { IsAuthenticated: true, Name: { } name }
            ? new AnalystIdentity(name, Roles.Parse(principal.FindFirstValue(ClaimTypes.Role)!), principal.FindFirstValue(StateClaim), principal.FindFirstValue(TokenClaim)!)
            : throw new InvalidOperationException("endpoint reached without authentication: it must require the analyst policy");
}
