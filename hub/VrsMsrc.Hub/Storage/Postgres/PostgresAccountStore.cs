using System.Data.Common;
using VrsMsrc.Hub.Accounts;

namespace VrsMsrc.Hub.Storage.Postgres;

/// <summary>Accounts and tokens on PostgreSQL; a login at one hub process is a valid token at every other.</summary>
internal sealed class PostgresAccountStore(PostgresDatabase database) : AccountStoreBase
{
    protected override DbConnection Open(bool readOnly) => database.Open();
}
