using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Streams.Broker.Security.Authentication.Tls;

/// <summary>
/// The principal of a TLS client certificate under Kafka's <c>ssl.principal.mapping.rules=DEFAULT</c>: <c>User:</c>
/// and the subject as RFC 2253 writes it (most specific attribute first, no spaces after commas,
/// <c>CN=alice,OU=dev,O=Acme,C=DE</c>), which is what ACLs written for Kafka name.
/// </summary>
internal static class CertificatePrincipal
{
    private static readonly Dictionary<string, string> Keywords = new(StringComparer.Ordinal)
    {
        ["2.5.4.3"] = "CN", ["2.5.4.7"] = "L", ["2.5.4.8"] = "ST", ["2.5.4.10"] = "O", ["2.5.4.11"] = "OU",
        ["2.5.4.6"] = "C", ["2.5.4.9"] = "STREET", ["0.9.2342.19200300.100.1.25"] = "DC", ["0.9.2342.19200300.100.1.1"] = "UID",
    };

    public static KafkaPrincipal For(X509Certificate2 certificate) => KafkaPrincipal.User(Rfc2253(certificate.SubjectName));

    public static string Rfc2253(X500DistinguishedName name)
    {
        // The encoding lists the least specific RDN first; RFC 2253 writes them in reverse, as reversed: true enumerates them.
        var parts = new List<string>();
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames(reversed: true))
        {
            if (rdn.HasMultipleElements)
            {
                parts.Add(rdn.RawData.Length > 0 ? "#" + Convert.ToHexString(rdn.RawData.Span) : "");
                continue;
            }

            var oid = rdn.GetSingleElementType().Value ?? "";
            parts.Add($"{Keywords.GetValueOrDefault(oid, oid)}={Escape(rdn.GetSingleElementValue() ?? "")}");
        }

        return string.Join(',', parts);
    }

    private static string Escape(string value)
    {
        var escaped = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is ',' or '+' or '"' or '\\' or '<' or '>' or ';' || (i == 0 && c is '#' or ' ') || (i == value.Length - 1 && c == ' '))
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
