using System.Security.Cryptography;
using System.Text;

/// <summary>
/// mosquitto's accounts: a password file and an ACL file, written owner-only beside the broker's configuration.
/// The bridge may read <c>city/#</c>; a device may only write under its district's topics. Anonymous clients are
/// refused. Shared with the tests' broker (load-tests/CityTwin.LoadTests/Mosquitto.cs), so both run the same rules.
/// </summary>
internal static class MosquittoAuth
{
    public const string BridgeUser = "citytwin-bridge";

    /// <summary>
    /// mosquitto 2's <c>$7$</c> format (what <c>mosquitto_passwd</c> writes): PBKDF2-HMAC-SHA512 with the iteration
    /// count, a 12-byte salt and the 64-byte hash, base64. Written here rather than with <c>mosquitto_passwd -b</c>,
    /// which would put the password on a command line that every local user can read. More iterations than
    /// mosquitto_passwd's 101: the broker reads the count from the entry, and a device's password may be a human's.
    /// </summary>
    public static string Hash(string password, int iterations = 10_000)
    {
        var salt = RandomNumberGenerator.GetBytes(12);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, 64);
        return $"$7${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>A random password (URL-safe base64 of 24 random bytes: 32 characters).</summary>
    public static string NewPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// Writes <c>passwd</c> and <c>acl</c> into <paramref name="directory"/> (replacing what was there: the accounts
    /// are exactly the configured ones) and returns the configuration lines that use them.
    /// </summary>
    /// <param name="devices">Each device account and the district it may publish to (its ACL: <c>write city/&lt;district&gt;/#</c>).</param>
    public static string Write(string directory, string bridgePassword, IEnumerable<(string Name, string Password, string District)> devices)
    {
        var passwords = new StringBuilder($"{BridgeUser}:{Hash(bridgePassword)}\n");
        // The bridge subscribes and never publishes; mosquitto refuses whatever a user's lines do not grant.
        var acl = new StringBuilder($"user {BridgeUser}\ntopic read city/#\n");
        foreach (var (name, password, district) in devices)
        {
            passwords.Append($"{name}:{Hash(password)}\n");
            acl.Append($"\nuser {name}\ntopic write city/{district}/#\n");
        }
        var passwordFile = Path.Combine(directory, "passwd");
        var aclFile = Path.Combine(directory, "acl");
        WriteOwnerOnly(passwordFile, passwords.ToString());
        WriteOwnerOnly(aclFile, acl.ToString());
        return $"""
            allow_anonymous false
            password_file {passwordFile}
            acl_file {aclFile}
            """;
    }

    /// <summary>Mode 600 from the moment it exists (File.WriteAllText would create it world-readable first).</summary>
    private static void WriteOwnerOnly(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new StreamWriter(path, new UTF8Encoding(false), options)) file.Write(text);
        // An existing file keeps its mode on FileMode.Create: set it again.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
