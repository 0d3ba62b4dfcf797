namespace Streams.Worker.Security;

/// <summary>Files holding keys and passwords: written whole (a crash leaves the old file or the new one), owner-only on Unix.</summary>
internal static class SecretFiles
{
    public static void Write(string path, string content, bool ownerOnly = true)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = ownerOnly ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        using (var file = new StreamWriter(new FileStream(temporary, options)))
        {
            file.Write(content);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
