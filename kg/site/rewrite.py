"""The web-server rules that give a static export content negotiation, for Apache and nginx.

An Apache ``.htaccess`` and an nginx server block (Turtle or JSON-LD by ``Accept``, HTML otherwise, suffixes for people who cannot set headers)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

#: Media types of the files an export holds, by suffix.
MEDIA_TYPES: dict[str, str] = {
    "html": "text/html",
    "css": "text/css",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "atom": "application/atom+xml",
    "svg": "image/svg+xml",
    "csv": "text/csv",
}


def htaccess(public_base: str) -> str:
    """Rules for Apache 2.4 (``mod_rewrite``, ``mod_headers``, ``mod_mime``; ``AllowOverride All``) at the
    export's root, published at ``public_base``."""
    prefix = urlsplit(public_base).path or "/"
    types = "\n".join(f"AddType {media} .{suffix}" for suffix, media in MEDIA_TYPES.items())
    return f"""# Content negotiation for a static export of hemicycle-kg (written by `kg site`).
# Needs mod_rewrite, mod_mime and mod_headers, and AllowOverride All (or FileInfo Options) for this folder.
Options -MultiViews -Indexes
{types}
AddDefaultCharset utf-8
AddCharset utf-8 .ttl .jsonld .csv .atom .svg .css
DirectoryIndex index.html
# question/X is a page (question/X.html) and a folder (question/X/answer.html…): no redirect to question/X/
DirectorySlash Off
ErrorDocument 404 {prefix}404.html
<IfModule mod_headers.c>
  Header merge Vary Accept
</IfModule>
RewriteEngine On
RewriteBase {prefix}
# a resource's RDF, when the client asks for it (q-values are not weighed: JSON-LD, then Turtle, then HTML)
RewriteCond %{{HTTP_ACCEPT}} application/ld\\+json
RewriteCond %{{REQUEST_FILENAME}}.jsonld -f
RewriteRule ^(.+)$ $1.jsonld [L]
RewriteCond %{{HTTP_ACCEPT}} text/turtle
RewriteCond %{{REQUEST_FILENAME}}.ttl -f
RewriteRule ^(.+)$ $1.ttl [L]
# otherwise its page, else (the ontology and shapes) its Turtle
RewriteCond %{{REQUEST_FILENAME}} !-f
RewriteCond %{{REQUEST_FILENAME}}.html -f
RewriteRule ^(.+)$ $1.html [L]
RewriteCond %{{REQUEST_FILENAME}} !-f
RewriteCond %{{REQUEST_FILENAME}}.ttl -f
RewriteRule ^(.+)$ $1.ttl [L]
"""


def nginx_server(root: Path, public_base: str, listen: str = "8080") -> str:
    """An nginx ``server`` block serving the export in ``root`` at the path of ``public_base``."""
    prefix = urlsplit(public_base).path or "/"
    types = "\n".join(f"        {media} {suffix};" for suffix, media in MEDIA_TYPES.items())
    location = prefix if prefix.endswith("/") else prefix + "/"
    # the export's folder is served under the public path: alias maps one onto the other
    target = f"root {root};" if location == "/" else f"alias {root}/;"
    return f"""# Content negotiation for a static export of hemicycle-kg (written by `kg site`): put this server
# block in nginx's http block (e.g. /etc/nginx/sites-enabled/), set listen and server_name, reload nginx.
server {{
    listen {listen};
    server_name _;
    charset utf-8;
    charset_types text/css text/turtle application/ld+json text/csv application/atom+xml image/svg+xml;
    types {{
{types}
    }}
    default_type application/octet-stream;
    # the RDF form a client asks for (q-values are not weighed: JSON-LD, then Turtle, then HTML)
    set $rdf "";
    if ($http_accept ~* "text/turtle") {{ set $rdf ".ttl"; }}
    if ($http_accept ~* "application/ld\\+json") {{ set $rdf ".jsonld"; }}
    location {location} {{
        {target}
        index index.html;
        add_header Vary Accept always;
        error_page 404 {location}404.html;
        try_files $uri $uri$rdf $uri.html $uri.ttl $uri/index.html =404;
    }}
}}
"""
