import { refractor } from "refractor";
import docker from "refractor/docker";
import graphql from "refractor/graphql";
import toml from "refractor/toml";
import tsx from "refractor/tsx";

// The common languages plus a few every repository has (TSX, Dockerfiles, TOML, GraphQL).
refractor.register(tsx);
refractor.register(docker);
refractor.register(toml);
refractor.register(graphql);

/**
 * refractor as react-diff-view's tokenizer calls it: `highlight` answers the nodes (refractor
 * 5 answers a root holding them).
 */
export const highlighter = {
  highlight: (text: string, language: string) => refractor.highlight(text, language).children,
};

export function canHighlight(language: string | undefined): language is string {
  return language !== undefined && refractor.registered(language);
}
