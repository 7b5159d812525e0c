// Renders the app and tray icons from resources/icon.svg with sharp (run: node build/icons.mjs).
// The outputs are committed, so packaging needs no image tools: icon.png (1024, macOS/Linux),
// icon.ico (Windows: PNG-compressed entries 16–256), icon.icns (macOS: PNG entries 16–1024),
// icons/NxN.png (Linux hicolor sizes), tray.png / tray@2x.png (Windows, Linux) and
// trayTemplate.png / trayTemplate@2x.png (macOS menu bar: black glyph on transparent).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import sharp from 'sharp';

const resources = fileURLToPath(new URL('../resources/', import.meta.url));
const svg = readFileSync(join(resources, 'icon.svg'));
const png = (size, source = svg) =>
  sharp(source, { density: Math.max(72, Math.ceil((72 * size) / 512) * 2) })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toBuffer();

// The tray glyph: the speech bubble alone, so it reads at 16 px.
const glyph = (color) =>
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
  <path d="M96 110h320a48 48 0 0 1 48 48v160a48 48 0 0 1-48 48H252l-100 80v-80h-56a48 48 0 0 1-48-48V158a48 48 0 0 1 48-48z" fill="${color}"/>
  <circle cx="176" cy="238" r="30" fill="${color === '#000000' ? 'none' : '#ffffff'}"/><circle cx="256" cy="238" r="30" fill="${color === '#000000' ? 'none' : '#ffffff'}"/><circle cx="336" cy="238" r="30" fill="${color === '#000000' ? 'none' : '#ffffff'}"/>
</svg>`);
// macOS template images use alpha only: punch the dots out of the black bubble.
const templateGlyph = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
  <mask id="m"><rect width="512" height="512" fill="#fff"/><circle cx="176" cy="238" r="30" fill="#000"/><circle cx="256" cy="238" r="30" fill="#000"/><circle cx="336" cy="238" r="30" fill="#000"/></mask>
  <path mask="url(#m)" d="M96 110h320a48 48 0 0 1 48 48v160a48 48 0 0 1-48 48H252l-100 80v-80h-56a48 48 0 0 1-48-48V158a48 48 0 0 1 48-48z" fill="#000000"/>
</svg>`);

function ico(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, data }, i) => {
    const e = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, e);
    header.writeUInt8(size >= 256 ? 0 : size, e + 1);
    header.writeUInt8(0, e + 2);
    header.writeUInt8(0, e + 3);
    header.writeUInt16LE(1, e + 4); // planes
    header.writeUInt16LE(32, e + 6); // bits per pixel
    header.writeUInt32LE(data.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.data)]);
}

function icns(entries) {
  const chunks = entries.map(({ type, data }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + chunks.reduce((n, c) => n + c.length, 0), 4);
  return Buffer.concat([head, ...chunks]);
}

const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const rendered = Object.fromEntries(await Promise.all(sizes.map(async (s) => [s, await png(s)])));

writeFileSync(join(resources, 'icon.png'), rendered[1024]);
writeFileSync(join(resources, 'icon.ico'), ico([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, data: rendered[size] }))));
writeFileSync(
  join(resources, 'icon.icns'),
  icns([
    { type: 'icp4', data: rendered[16] },
    { type: 'icp5', data: rendered[32] },
    { type: 'icp6', data: rendered[64] },
    { type: 'ic07', data: rendered[128] },
    { type: 'ic08', data: rendered[256] },
    { type: 'ic09', data: rendered[512] },
    { type: 'ic10', data: rendered[1024] },
  ]),
);
mkdirSync(join(resources, 'icons'), { recursive: true });
for (const s of [16, 24, 32, 48, 64, 128, 256, 512]) writeFileSync(join(resources, 'icons', `${s}x${s}.png`), rendered[s]);
writeFileSync(join(resources, 'tray.png'), await png(16, glyph('#0f766e')));
writeFileSync(join(resources, 'tray@2x.png'), await png(32, glyph('#0f766e')));
writeFileSync(join(resources, 'trayTemplate.png'), await png(16, templateGlyph));
writeFileSync(join(resources, 'trayTemplate@2x.png'), await png(32, templateGlyph));
console.log('icons written to', resources);
