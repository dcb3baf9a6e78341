// GraphiQL with the query explorer, as strawberry's page sets it up, served from this server (no CDN, no inline code).
(function () {
  "use strict";

  var EXAMPLE_QUERY = [
    "# Welcome to Pathwise's GraphiQL",
    "#",
    "# Most fields need a token. Run",
    "#   pathwise token <user>",
    "# and add it under Headers below:",
    '#   {"Authorization": "Bearer <token>"}',
    "#",
    "# Docs and Explorer, on the left,",
    "# list every type and field.",
    "#",
    "# Run: Ctrl-Enter (or the play button)",
    "# Complete: Ctrl-Space (or just type)",
    "#",
    "{",
    "  me {",
    "    id",
    "    displayName",
    "  }",
    "}",
    "",
  ].join("\n");

  var root = document.getElementById("graphiql");
  if (typeof React === "undefined" || typeof ReactDOM === "undefined" || typeof GraphiQL === "undefined"
      || typeof GraphiQLPluginExplorer === "undefined") {
    root.textContent = "GraphiQL's files did not load. Build them with `make web` (`make serve` does it).";
    return;
  }

  // URL parameters, for sharing queries
  var parameters = {};
  window.location.search.slice(1).split("&").forEach(function (entry) {
    var eq = entry.indexOf("=");
    if (eq >= 0) {
      parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
    }
  });

  function updateURL(data) {
    Object.assign(parameters, data);
    var search = "?" + Object.keys(parameters)
      .filter(function (key) { return Boolean(parameters[key]); })
      .map(function (key) { return encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]); })
      .join("&");
    history.replaceState(null, null, search);
  }

  var fetchURL = window.location.href.split("?")[0];

  function httpUrlToWebSocketUrl(url) {
    var parsed = new URL(url);
    parsed.protocol = parsed.protocol === "http:" ? "ws:" : "wss:";
    parsed.hash = "";
    return parsed.toString();
  }

  var defaultHeaders = {};
  var csrfToken = Cookies.get("csrftoken");
  if (csrfToken) {
    defaultHeaders["x-csrftoken"] = csrfToken;
  }

  var fetcher = GraphiQL.createFetcher({
    url: fetchURL,
    headers: defaultHeaders,
    subscriptionUrl: httpUrlToWebSocketUrl(fetchURL),
  });
  var explorerPlugin = GraphiQLPluginExplorer.explorerPlugin();

  function GraphiQLWithExplorer() {
    var queryState = React.useState(parameters.q || EXAMPLE_QUERY);
    var variablesState = React.useState(parameters.variables);
    var headersState = React.useState(parameters.headers);

    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [explorerPlugin],
      query: queryState[0],
      variables: variablesState[0],
      headers: headersState[0],
      onEditQuery: function (query) {
        queryState[1](query);
        updateURL({ q: query });
      },
      onEditVariables: function (variables) {
        variablesState[1](variables);
        updateURL({ variables: variables });
      },
      onEditHeaders: function (headers) {
        headersState[1](headers);
      },
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    });
  }

  ReactDOM.createRoot(root).render(React.createElement(GraphiQLWithExplorer));
})();
