// Load a Cytoscape.js JSON export (cartkg export --format cytoscape) with cytoscape.js, headless,
// and print what it holds as one line of JSON. Used by tests/test_export.py.
// Usage: node tests/js/load_cytoscape.js FILE
"use strict";
const fs = require("fs");
const cytoscape = require("cytoscape");

const problems = [];
for (const level of ["warn", "error"]) {
  console[level] = (...args) => problems.push(`${level}: ${args.join(" ")}`);
}

const doc = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const cy = cytoscape({ headless: true, styleEnabled: true, elements: doc.elements,
                       style: doc.style });
const classes = {};
cy.nodes().forEach((n) => { classes[n.data("class")] = (classes[n.data("class")] || 0) + 1; });
const colours = {};
cy.nodes().forEach((n) => { colours[n.data("class")] = n.style("background-color"); });
const dangling = cy.edges().filter((e) => e.source().empty() || e.target().empty()).length;
const first = cy.edges()[0];
process.stdout.write(JSON.stringify({
  nodes: cy.nodes().length,
  edges: cy.edges().length,
  dangling,
  classes,
  colours,
  firstEdge: first ? { id: first.id(), source: first.source().id(), target: first.target().id(),
                       quote: first.data("quote"), sources: first.data("sources") } : null,
  problems,
}) + "\n", () => {
  cy.destroy();
  process.exit(0); // cytoscape.js keeps a timer alive even when headless
});
