namespace VrsMsrc.Hub.Pki;

/// <summary>The one-word (or few-word) state of a certificate that listings and 'status' show.</summary>
internal static class CertificateStatus
{
    public static string Of(DateTimeOffset? notBefore, DateTimeOffset notAfter, bool revoked, DateTimeOffset now, int warningDays)
    {
        if (revoked)
        {
            return "revoked";
        }

        if (notAfter <= now)
        {
            return "EXPIRED";
        }

        if (notBefore > now)
        {
            return "not yet valid";
        }

        var days = (notAfter - now).TotalDays;
        return days < warningDays ? $"expires in {Math.Floor(days):F0} days: renew" : "valid";
    }
}
