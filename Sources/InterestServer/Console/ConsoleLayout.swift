import Foundation

/// The frame every console page shares: the document head with its style sheet (inline, no
/// external asset), a header with links and the id search boxes (plain GET forms: they work
/// without JavaScript), and the page's content.
enum ConsoleLayout {
    static func page(title: String, content: HTML, userQuery: String = "", itemQuery: String = "") -> HTML {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · InterestMiner console</title>
        <link rel="icon" href="data:,">
        <style>\(style)</style>
        </head>
        <body>
        <header class="top">
        <a class="brand" href="\(ConsoleLink.shop)">InterestMiner console</a>
        <form class="find" method="get" action="\(ConsoleLink.shop)" role="search">
        <label for="find-user">User id</label> <input id="find-user" name="user" value="\(userQuery)" required maxlength="256">
        <button type="submit">Open user</button>
        </form>
        <form class="find" method="get" action="\(ConsoleLink.shop)" role="search">
        <label for="find-item">Item id</label> <input id="find-item" name="item" value="\(itemQuery)" required maxlength="256">
        <button type="submit">Open item</button>
        </form>
        </header>
        <main>
        \(content)
        </main>
        </body>
        </html>

        """
    }

    /// Plain CSS; system fonts with CJK fallbacks so Chinese text renders where such a font is installed.
    static let style: HTML = """
        :root{--ink:#1d2430;--muted:#5b6576;--line:#d8dde6;--bg:#f6f7f9;--accent:#2f5d9a}
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC","Noto Sans SC","WenQuanYi Micro Hei","PingFang SC",sans-serif;color:var(--ink);background:var(--bg)}
        a{color:var(--accent)}
        header.top{display:flex;flex-wrap:wrap;gap:12px 24px;align-items:center;padding:10px 20px;background:#fff;border-bottom:1px solid var(--line)}
        .brand{font-weight:600;text-decoration:none;margin-right:auto}
        form.find,form.search{display:flex;gap:6px;align-items:center}
        input{font:inherit;padding:3px 6px;border:1px solid var(--line);border-radius:4px;min-width:10em}
        button{font:inherit;padding:3px 10px;border:1px solid var(--accent);background:var(--accent);color:#fff;border-radius:4px;cursor:pointer}
        main{max-width:1100px;margin:0 auto;padding:16px 20px 40px}
        h1{font-size:1.5em;margin:.4em 0}
        h2{font-size:1.15em;margin:1.6em 0 .5em;padding-bottom:3px;border-bottom:1px solid var(--line)}
        section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:4px 16px 14px;margin:14px 0}
        table{border-collapse:collapse;width:100%;font-size:.93em}
        th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
        th{color:var(--muted);font-weight:600}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        .muted,.note{color:var(--muted)}
        .note{font-style:italic}
        .tag{display:inline-block;padding:0 6px;border-radius:3px;background:#e8edf5;font-size:.85em;margin:1px 2px}
        .kind{display:inline-block;min-width:5.5em;font-size:.8em;font-weight:600;text-transform:uppercase;color:var(--muted)}
        ol.timeline{list-style:none;padding:0;margin:0}
        ol.timeline li{padding:5px 0;border-bottom:1px solid var(--line)}
        ol.timeline time{color:var(--muted);font-size:.85em;margin-right:8px;font-variant-numeric:tabular-nums}
        .text{white-space:pre-wrap;overflow-wrap:anywhere}
        .grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:0 20px}
        figure.chart{margin:8px 0}
        figure.chart svg{width:100%;max-width:760px;height:auto;font-family:inherit}
        svg .title{font-size:14px;font-weight:600;fill:var(--ink)}
        svg .tick,svg .unit{font-size:11px;fill:var(--muted)}
        svg .label,svg .value{font-size:12px;fill:var(--ink)}
        svg .axis{stroke:#8a93a3;stroke-width:1}
        svg .grid{stroke:#e6e9ef;stroke-width:1}
        .error{border-color:#e0a3a3;background:#fff6f6}
        code{font-size:.92em}
        """
}

/// An HTML answer.
enum HTMLBody {
    /// Security headers: no script may run on a console page (it has none), nothing loads from
    /// elsewhere, styles only inline, forms only to this server.
    static let policy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}
