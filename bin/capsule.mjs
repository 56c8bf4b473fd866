#!/usr/bin/env node
// The `capsule` executable: runs the built CLI and exits with its code.
import { main } from '../dist/cli.mjs'

process.exitCode = await main(process.argv)
