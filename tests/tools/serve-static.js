// A static file server for the timeline viewer test: serves the files of the given folders (first match wins)
// on 127.0.0.1 at a free port, and prints the port on its first line of output.
const http = require('http');
const fs = require('fs');
const path = require('path');

const roots = process.argv.slice(2).map(r => path.resolve(r));
const types = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.png': 'image/png', '.woff2': 'font/woff2', '.ico': 'image/x-icon',
};

const server = http.createServer((req, res) => {
  const rel = decodeURIComponent(req.url.split('?')[0]).replace(/^\/+/, '') || 'index.html';
  for (const root of roots) {
    const file = path.join(root, rel);
    if (file.startsWith(root + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream' });
      fs.createReadStream(file).pipe(res);
      return;
    }
  }
  res.writeHead(404);
  res.end();
});

server.listen(0, '127.0.0.1', () => console.log(server.address().port));
