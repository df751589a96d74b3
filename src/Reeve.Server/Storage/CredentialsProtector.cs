using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>Encrypts and decrypts credentials' secret fields with the server's key ring (ASP.NET Core Data Protection).</summary>
internal sealed class CredentialsProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Reeve.Credentials.v1");

    public string Protect(string plaintext) => _protector.Protect(plaintext);

    /// <exception cref="Core.Errors.ReeveConflictException">The key that encrypted it is not in the key ring (lost, or another server's).</exception>
    public string Unprotect(string ciphertext)
    {
        try
        {
            return _protector.Unprotect(ciphertext);
        }
        catch (CryptographicException e)
        {
            throw new Core.Errors.ReeveConflictException(
                "Stored credentials cannot be decrypted: the key that encrypted them is not in this server's key ring (see docs/operating.md, 'Credentials and the key ring').", e);
        }
    }
}

/// <summary>
/// The key ring in the database (<c>data_protection_key</c>), so that every replica on one PostgreSQL database reads
/// the keys the others made. Data Protection calls it rarely (at start, when a key is made, on a key it does not know).
/// </summary>
internal sealed class DatabaseXmlRepository(IServiceScopeFactory scopes, Hosting.StorageReady storage) : IXmlRepository
{
    /// <summary>How long a first read waits for the database to be migrated.</summary>
    private static readonly TimeSpan StorageWait = TimeSpan.FromSeconds(60);

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        storage.Migrated.Task.Wait(StorageWait);
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReeveDbContext>();
        return [.. db.DataProtectionKeys.Select(k => k.Xml).ToList().Select(XElement.Parse)];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        storage.Migrated.Task.Wait(StorageWait);
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReeveDbContext>();
        db.DataProtectionKeys.Add(new DataProtectionKeyRecord { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
