#!/bin/sh
# A stand-in payment function: reads the task input on stdin, prints a receipt on stdout.
input=$(cat)
order=$(printf '%s' "$input" | sed -n 's/.*"orderId" *: *"\([^"]*\)".*/\1/p')
printf '{"receipt": "R-%s"}\n' "$order"
