import { expect, test } from "vitest";
import type { Chart } from "./contract.ts";
import { chartSvg, niceTicks } from "./svg.ts";

const latency: Chart = {
  title: "p99 latency <load>",
  x: { label: "offered load", unit: "sends/s" },
  y: { label: "p99", unit: "ms" },
  series: [
    // out of x order on purpose: the line is drawn in x order
    {
      system: "qualmeet",
      points: [
        [2000, 40],
        [1000, 10],
      ],
    },
    { system: "socket.io", points: [[1000, 20]] },
    { system: "janus", points: [] },
  ],
};

test("ticks are round numbers covering the range", () => {
  expect(niceTicks(0, 95)).toEqual([0, 20, 40, 60, 80, 100]);
  expect(niceTicks(1000, 2000)).toEqual([1000, 1200, 1400, 1600, 1800, 2000]);
  expect(niceTicks(3, 3)).toEqual([3]);
  // the largest point (1600) is inside the axes, not past the last tick
  expect(niceTicks(50, 1600)).toEqual([0, 500, 1000, 1500, 2000]);
});

test("every system has its group, line, markers and legend entry; one without points says so", () => {
  const svg = chartSvg(latency);
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  expect(svg).toContain("<title>p99 latency &#60;load&#62;</title>");
  expect(svg).toContain("offered load (sends/s)");
  const group = (system: string) => svg.split(`<g data-system="${system}">`)[1]!.split("</g>")[0]!;
  expect(group("qualmeet").match(/<circle /g)).toHaveLength(2);
  expect(group("qualmeet")).toContain("<polyline");
  expect(group("socket.io").match(/<circle /g)).toHaveLength(1);
  expect(group("janus")).toContain("janus (no data)");
  // the line goes left to right: the 1000 point first
  const points = /<polyline points="([^"]+)"/
    .exec(group("qualmeet"))![1]!
    .split(" ")
    .map((p) => Number(p.split(",")[0]));
  expect(points[0]).toBeLessThan(points[1]!);
  // every marker inside the plot's frame
  const frame = /<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)" fill="none"/.exec(svg)!.slice(1).map(Number);
  for (const [, cx, cy] of svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)) {
    expect(Number(cx)).toBeGreaterThanOrEqual(frame[0]!);
    expect(Number(cx)).toBeLessThanOrEqual(frame[0]! + frame[2]!);
    expect(Number(cy)).toBeGreaterThanOrEqual(frame[1]!);
    expect(Number(cy)).toBeLessThanOrEqual(frame[1]! + frame[3]!);
  }
});

test("the same system has the same colour in every chart", () => {
  const colour = (svg: string, system: string) => /fill="(#[0-9a-f]+)"/.exec(svg.split(`<g data-system="${system}">`)[1]!)![1];
  const other: Chart = {
    ...latency,
    series: [
      { system: "socket.io", points: [[1, 1]] },
      { system: "qualmeet", points: [[1, 2]] },
    ],
  };
  expect(colour(chartSvg(other), "qualmeet")).toBe(colour(chartSvg(latency), "qualmeet"));
  expect(colour(chartSvg(other), "qualmeet")).not.toBe(colour(chartSvg(other), "socket.io"));
});
