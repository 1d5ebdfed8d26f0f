/** The file the empty state offers to copy: small, valid, and showing every basic part. */
export const exampleTemplateFileName = "hello-pipeline.yaml";

export const exampleTemplate = `name: Hello Pipeline
description: Plan with an agent, build, then test

argsSchema:
  type: object
  properties:
    feature:
      type: string
      title: Feature
      minLength: 3
  required: [feature]

phases:
  - plan
  - build
  - test

steps:
  - id: plan
    name: Plan the change
    phase: plan
    type: agent
    agent: claude
    permission: plan
    prompt: "Plan how to add {{ args.feature }}"

  - id: build
    name: Build
    phase: build
    type: script
    command: pnpm build

  - id: test
    name: Run the tests
    phase: test
    type: script
    command: pnpm test
    retry:
      attempts: 2
`;
