// One generic lint rule for the project's layering (in the spirit of VS Code's code-layering): every file
// belongs to the layer of the longest folder prefix that matches its path, and may import, by a relative
// path, only files of its own layer or of the layers the table allows it. The table lives in
// eslint.config.js; test/unit/lint/layering.test.ts proves that each forbidden direction fails.
import path from 'node:path';

/** The layer of a path relative to the project root, or null outside every layer. */
function layerOf(relative, layers) {
  let best = null;
  for (const [name, prefix] of Object.entries(layers)) {
    if (relative.startsWith(prefix) && (!best || prefix.length > layers[best].length)) best = name;
  }
  return best;
}

const importsRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Each folder imports only the folders its layer allows (eslint.config.js, layering table).' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          layers: { type: 'object', additionalProperties: { type: 'string' } },
          allowed: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
        },
        required: ['root', 'layers', 'allowed'],
        additionalProperties: false,
      },
    ],
    messages: {
      forbidden: "{{from}} may not import {{to}} ({{target}}): {{from}} may import {{allowed}}. See the layering table in eslint.config.js.",
    },
  },
  create(context) {
    const { root, layers, allowed } = context.options[0];
    const fromFile = path.relative(root, context.filename).split(path.sep).join('/');
    const from = layerOf(fromFile, layers);
    if (!from || allowed[from]?.includes('*')) return {};
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.relative(root, path.resolve(path.dirname(context.filename), source)).split(path.sep).join('/');
      const to = layerOf(target, layers);
      if (!to || to === from || allowed[from]?.includes(to)) return;
      context.report({ node, messageId: 'forbidden', data: { from, to, target, allowed: allowed[from]?.length ? allowed[from].join(', ') : 'nothing of the project' } });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { meta: { name: 'injbench-layering' }, rules: { imports: importsRule } };
