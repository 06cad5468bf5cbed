// GraphiQL for Aether: queries and mutations over HTTP POST /graphql, subscriptions over a WebSocket on the same
// path speaking graphql-transport-ws. API keys go in the Headers tab as {"Authorization": "Bearer <key>"}; for a
// subscription they are sent in connection_init's payload.
(function () {
  'use strict';

  var httpUrl = new URL('/graphql', window.location.href).toString();
  var wsUrl = (window.location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + window.location.host + '/graphql';
  var nextId = 1;

  function operationOf(params, opts) {
    var doc = opts && opts.documentAST;
    if (doc && doc.definitions) {
      var operations = doc.definitions.filter(function (d) { return d.kind === 'OperationDefinition'; });
      var named = params.operationName
        ? operations.filter(function (d) { return d.name && d.name.value === params.operationName; })[0]
        : operations[0];
      return named ? named.operation : 'query';
    }
    return /^\s*subscription\b/.test(params.query) ? 'subscription' : 'query';
  }

  function headersOf(opts) {
    return (opts && opts.headers) || {};
  }

  function overHttp(params, opts) {
    var headers = Object.assign({ 'content-type': 'application/json', accept: 'application/json' }, headersOf(opts));
    return fetch(httpUrl, { method: 'POST', headers: headers, body: JSON.stringify(params), credentials: 'same-origin' })
      .then(function (response) { return response.json(); });
  }

  function initPayload(opts) {
    var headers = headersOf(opts);
    var payload = {};
    Object.keys(headers).forEach(function (name) {
      var lower = name.toLowerCase();
      if (lower === 'authorization') { payload.authorization = headers[name]; }
      if (lower === 'x-api-key') { payload.apiKey = headers[name]; }
    });
    return payload;
  }

  // One socket per subscription keeps this small; the dashboard uses graphql-ws, which multiplexes.
  function overWebSocket(params, opts) {
    return {
      subscribe: function (observer) {
        var id = String(nextId++);
        var socket = new WebSocket(wsUrl, 'graphql-transport-ws');
        var done = false;
        function finish(error) {
          if (done) { return; }
          done = true;
          if (error) { observer.error(error); } else { observer.complete(); }
          if (socket.readyState === WebSocket.OPEN) { socket.close(1000, 'Normal Closure'); }
        }
        socket.onopen = function () {
          socket.send(JSON.stringify({ type: 'connection_init', payload: initPayload(opts) }));
        };
        socket.onmessage = function (event) {
          var message = JSON.parse(event.data);
          switch (message.type) {
            case 'connection_ack':
              socket.send(JSON.stringify({ id: id, type: 'subscribe', payload: params }));
              break;
            case 'ping':
              socket.send(JSON.stringify({ type: 'pong' }));
              break;
            case 'next':
              observer.next(message.payload);
              break;
            case 'error':
              observer.next({ errors: message.payload });
              finish();
              break;
            case 'complete':
              finish();
              break;
          }
        };
        socket.onclose = function (event) {
          if (event.code === 1000) { finish(); } else { finish(new Error('WebSocket closed: ' + event.code + ' ' + event.reason)); }
        };
        return {
          unsubscribe: function () {
            if (!done && socket.readyState === WebSocket.OPEN) {
              socket.send(JSON.stringify({ id: id, type: 'complete' }));
            }
            done = true;
            if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) { socket.close(1000, 'Normal Closure'); }
          }
        };
      }
    };
  }

  function fetcher(params, opts) {
    return operationOf(params, opts) === 'subscription' ? overWebSocket(params, opts) : overHttp(params, opts);
  }

  var defaultQuery = [
    '# Live sessions with their customer and 5-minute traffic.',
    '# Mutations need an operator key: add {"Authorization": "Bearer <key>"} under Headers.',
    '{',
    '  sessions(first: 20, orderBy: { field: STARTED, direction: DESC }) {',
    '    totalCount',
    '    pageInfo { hasNextPage endCursor }',
    '    nodes { id bngId ip mac circuitId remoteId downloadKbps uploadKbps customer { name } traffic { downBps upBps } }',
    '  }',
    '}',
    '',
    '# subscription { sessionEvents(types: ["SESSION_START", "SESSION_STOP"]) { type bngId sessionId time session { ip mac } } }',
    ''
  ].join('\n');

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery, shouldPersistHeaders: false }));
})();
