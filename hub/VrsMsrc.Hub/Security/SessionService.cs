using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Accounts;

namespace VrsMsrc.Hub.Security;

/// <summary>Login and logout on the analyst listener; the login is the one call without a token.</summary>
internal sealed class SessionService(AccountService accounts, SharingRule sharing) : Session.SessionBase
{
    [AllowAnonymous]
    public override Task<LoginResponse> Login(LoginRequest request, ServerCallContext context)
    {
        var remote = context.GetHttpContext().Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (request.Account.Length > 64 || request.Password.Length > 1024)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "account or password too long"));
        }

        var result = accounts.Login(request.Account, request.Password, remote);
        if (result.Session is not { } session || result.Identity is not { } identity)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, result.Refusal ?? "login refused"));
        }

        return Task.FromResult(new LoginResponse
        {
            Token = session.Secret,
            ExpiresAt = session.ExpiresAt?.ToString("O") ?? "",
            Role = Roles.Name(identity.Role),
            State = identity.State ?? "",
        });
    }

    public override Task<LogoutResponse> Logout(LogoutRequest request, ServerCallContext context)
    {
        accounts.Logout(AnalystClaims.Identity(context.GetHttpContext().User));
        return Task.FromResult(new LogoutResponse());
    }

    public override Task<WhoAmIResponse> WhoAmI(WhoAmIRequest request, ServerCallContext context)
    {
        var identity = AnalystClaims.Identity(context.GetHttpContext().User);
        var scope = sharing.ScopeFor(identity);
        return Task.FromResult(new WhoAmIResponse
        {
            Account = identity.Account,
            Role = Roles.Name(identity.Role),
            State = identity.State ?? "",
            SeesAllStates = scope.SeesAllStates,
            Limitation = scope.Limitation ?? "",
        });
    }
}
