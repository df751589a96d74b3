using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reeve.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TagConcurrencyLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "concurrency_limit",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated = table.Column<DateTime>(type: "TEXT", nullable: false),
                    tag = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    concurrency_limit = table.Column<int>(type: "INTEGER", nullable: false),
                    active_slots = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_concurrency_limit", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_concurrency_limit_tag",
                table: "concurrency_limit",
                column: "tag",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "concurrency_limit");
        }
    }
}
