const fs = require('fs');
const path = require('path');
// BEGIN PROMPT
const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.gif'];

/**
 * Return the sorted file names of the images (files whose names end in one of
 * IMAGE_EXTENSIONS, in any case) in the album `album` of the photo gallery stored in
 * `galleryDir`. Each album is a folder; `album` comes from the URL /gallery/<album> and
 * may name a nested album such as "2024/summer". Return [] if there is no such album.
 *
 * @param {string} galleryDir
 * @param {string} album
 * @returns {string[]}
 */
function listAlbum(galleryDir, album) {
  // BEGIN SOLUTION
  let folder;
  let root;
  try {
    root = fs.realpathSync(galleryDir);
    folder = fs.realpathSync(path.resolve(root, album));
  } catch (err) {
    return [];
  }
  if (!fs.statSync(folder).isDirectory()) {
    return [];
  }
  return fs.readdirSync(folder)
    .filter((name) => IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase()))
    .filter((name) => fs.statSync(path.join(folder, name)).isFile())
    .sort();
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_022_1_js_task.js GALLERY_DIR ALBUM... -> one JSON array per ALBUM
  const [galleryDir, ...albums] = process.argv.slice(2);
  for (const album of albums) {
    console.log(JSON.stringify(listAlbum(galleryDir, album)));
  }
}
