using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reeve.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class VariablesAndGlobalConcurrencyLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "concurrency_limit_v2",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated = table.Column<DateTime>(type: "TEXT", nullable: false),
                    active = table.Column<bool>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    limit = table.Column<int>(type: "INTEGER", nullable: false),
                    active_slots = table.Column<int>(type: "INTEGER", nullable: false),
                    denied_slots = table.Column<int>(type: "INTEGER", nullable: false),
                    slot_decay_per_second = table.Column<double>(type: "REAL", nullable: false),
                    avg_slot_occupancy_seconds = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_concurrency_limit_v2", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "variable",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated = table.Column<DateTime>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: false),
                    tags = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_variable", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_concurrency_limit_v2_name",
                table: "concurrency_limit_v2",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_variable_name",
                table: "variable",
                column: "name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "concurrency_limit_v2");

            migrationBuilder.DropTable(
                name: "variable");
        }
    }
}
